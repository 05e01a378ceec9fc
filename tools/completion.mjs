#!/usr/bin/env node
// Writes trimlab's bash completion to stdout, made from the program's own texts so it cannot
// drift from them: the commands and options from `trimlab --help` and each command's --help, the
// scenarios and their parameters from `trimlab --list` (the engine's registry).
//
//   node tools/completion.mjs build/trimlab > build/bash-completion/trimlab
//
// An option's value is completed by what its help names it: NAME a scenario, KEY=VALUE (or
// key=N) a parameter, FILE or TRACE a file, a|b|c one of those words.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The completion functions, which read the data this script writes above them. */
const FUNCTIONS = readFileSync(new URL('completion.bash', import.meta.url), 'utf8');

/** A name that goes into the bash code unquoted must be plain. */
const PLAIN = /^[A-Za-z0-9_.|=-]+$/;

/**
 * @param {string} word
 * @returns {string}
 */
function plain(word) {
  if (!PLAIN.test(word)) throw new Error(`'${word}' is not a plain name`);
  return word;
}

/**
 * The options of one help text: each "  -x, --long ARG  description" line (in any section)
 * gives its flags and, when it takes one, what its value is.
 * @param {string} help
 * @returns {{options: string[], values: Record<string, string>}}
 */
function parseOptions(help) {
  const options = [];
  /** @type {Record<string, string>} */
  const values = {};
  for (const line of help.split('\n')) {
    const match = /^ {2}(-[^ ,]*(?:, -[^ ,]+)?)(?: ([^ ]+))?(?: {2,}|$)/.exec(line);
    if (!match) continue;
    const flags = match[1].split(', ').map(plain);
    options.push(...flags);
    if (match[2] !== undefined) for (const flag of flags) values[flag] = valueKind(match[2]);
  }
  return { options, values };
}

/**
 * What an option's argument, as its help names it, is completed with.
 * @param {string} argument
 * @returns {string}
 */
function valueKind(argument) {
  if (argument === 'NAME') return '@scenario';
  if (argument.includes('=')) return '@param';
  if (argument === 'FILE' || argument === 'TRACE') return '@file';
  if (argument.includes('|')) return argument.split('|').map(plain).join(' ');
  throw new Error(`no completion for an argument named '${argument}'`);
}

/**
 * The commands of the main help's synopsis ("  or:  trimlab record ...").
 * @param {string} help
 * @returns {string[]}
 */
function parseCommands(help) {
  return [...help.matchAll(/^(?:Usage:| {2}or:) +trimlab ([a-z][a-z-]*)/gm)].map((m) =>
    plain(m[1]),
  );
}

/**
 * The lines of one section ("Options:" up to the next blank line) of a help text.
 * @param {string} help
 * @param {string} heading
 * @returns {string}
 */
function section(help, heading) {
  const start = help.indexOf(`\n${heading}:\n`);
  if (start < 0) throw new Error(`the help has no ${heading} section`);
  return help.slice(start).split('\n\n')[0];
}

/**
 * The parameter names of `trimlab replay --help`'s --set KEY=N line.
 * @param {string} help
 * @returns {string[]}
 */
function replayParams(help) {
  return [...help.matchAll(/^ {2}--set ([a-z_]+)=/gm)].map((m) => plain(m[1]));
}

/**
 * `trimlab --list`: each scenario at the start of a line, its parameters indented under it.
 * @param {string} list
 * @returns {Map<string, string[]>}
 */
function parseList(list) {
  const scenarios = new Map();
  let current = null;
  for (const line of list.split('\n')) {
    const scenario = /^([a-z]\S*) {2,}/.exec(line);
    const param = /^ {4}([a-z]\S*) +default /.exec(line);
    if (scenario) scenarios.set((current = plain(scenario[1])), []);
    else if (param && current !== null) scenarios.get(current).push(plain(param[1]));
  }
  if (scenarios.size === 0) throw new Error('--list named no scenario');
  return scenarios;
}

/**
 * @param {string} name
 * @param {Record<string, string>} entries
 * @returns {string}
 */
function assoc(name, entries) {
  const body = Object.entries(entries)
    .map(([key, value]) => `    [${key.includes(' ') ? `"${key}"` : key}]='${value}'`)
    .join('\n');
  return `declare -gA ${name}=(\n${body}\n)\n`;
}

/**
 * The completion script for the trimlab at `cli`.
 * @param {string} cli path of the trimlab executable
 * @returns {string}
 */
export function completionScript(cli) {
  const run = (/** @type {string[]} */ args) => execFileSync(cli, args, { encoding: 'utf8' });
  const mainHelp = run(['--help']);
  const commands = parseCommands(mainHelp);
  const scenarios = parseList(run(['--list']));
  /** @type {Record<string, string>} */
  const options = {};
  /** @type {Record<string, string>} */
  const values = {};
  /** @type {Record<string, string>} */
  const operands = {};
  /** @type {Record<string, string>} */
  const params = {};
  for (const [name, list] of scenarios) params[name] = list.join(' ');
  for (const command of ['main', ...commands]) {
    // The main help's own options are its "Options:" section; each command's, its whole help.
    const help = command === 'main' ? section(mainHelp, 'Options') : run([command, '--help']);
    const parsed = parseOptions(help);
    options[command] = parsed.options.join(' ');
    for (const [flag, kind] of Object.entries(parsed.values)) values[`${command} ${flag}`] = kind;
    // A command's own operand, as its synopsis names it (replay TRACE).
    const synopsis = new RegExp(`^Usage: trimlab ${command} ([A-Z]+) `, 'm').exec(help);
    if (synopsis) operands[command] = valueKind(synopsis[1]);
    if (command === 'replay') params.replay = replayParams(help).join(' ');
  }
  const allParams = [...new Set([...scenarios.values()].flat())].join(' ');
  const version = run(['--version']).trim();
  return (
    `# bash completion for trimlab: generated by tools/completion.mjs from ${version}'s\n` +
    "# --help, each command's --help and --list. Do not edit; `make completion` remakes it.\n" +
    `_trimlab_commands='${commands.join(' ')}'\n` +
    `_trimlab_scenarios='${[...scenarios.keys()].join(' ')}'\n` +
    `_trimlab_all_params='${allParams}'\n` +
    assoc('_trimlab_options', options) +
    assoc('_trimlab_values', values) +
    assoc('_trimlab_operand', operands) +
    assoc('_trimlab_params', params) +
    FUNCTIONS
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node tools/completion.mjs TRIMLAB > COMPLETION_FILE\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(completionScript(process.argv[2]));
  }
}
