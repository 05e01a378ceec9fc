// @ts-check
// How each real program runs a workload's phase, the same under Node (tools/real/run.mjs) and in
// the page's Worker (web/real-worker.js): each is given its loaded package, however it was
// loaded there (require, importScripts). No Node import: the page imports this module.

/**
 * @typedef {{name: string,
 *   run(phase: string, text: string, step: (what: string) => void): void, close(): void}} Program
 */

/** Binds $rows where the statement has it (sql.js refuses a name the statement lacks). */
function bindKnown(/** @type {any} */ statement, /** @type {Record<string, number>} */ params) {
  try {
    statement.bind(params);
  } catch {
    // a statement without $rows: nothing to bind
  }
}

/**
 * sql.js: every statement of a phase through iterateStatements, a step after each; its free
 * phase ends with db.close().
 * @param {any} SQL what initSqlJs() resolved to
 * @param {string} version the package's
 * @param {number|null} rows $rows (null: the workload's default)
 * @returns {Program}
 */
export function sqliteProgram(SQL, version, rows) {
  const db = new SQL.Database();
  const params = rows === null ? undefined : { $rows: rows };
  return {
    name: `sql.js ${version} (SQLite ${db.exec('SELECT sqlite_version()')[0].values[0][0]})`,
    run(phase, text, step) {
      for (const statement of db.iterateStatements(text)) {
        if (params && statement.getColumnNames !== undefined) bindKnown(statement, params);
        while (statement.step());
        step(statement.getSQL().replace(/\s+/g, ' ').slice(0, 40));
        statement.free();
      }
      if (phase === 'free') {
        db.close();
        step('db.close()');
      }
    },
    close() {},
  };
}

/**
 * wasmoon: each phase as one chunk; ROWS set as a global.
 * @param {any} lua the engine LuaFactory.createEngine() resolved to
 * @param {string} version the package's
 * @param {number|null} rows ROWS (null: the workload's default)
 * @returns {Program}
 */
export function luaProgram(lua, version, rows) {
  if (rows !== null) lua.global.set('ROWS', rows);
  return {
    name: `wasmoon ${version} (${lua.global.get('_VERSION')})`,
    run(phase, text, step) {
      lua.doStringSync(text);
      step(`${phase} phase`);
    },
    close() {
      lua.global.close();
    },
  };
}

/**
 * Runs a workload's phases (web/real-sampler.js's workloadPhases) in `program`, sampling after
 * each of its steps (the work as 'allocate', what follows as 'free'), then samples the idle
 * module every `everyMs` for `idleMs`, at least once: nothing runs, what the module keeps stays.
 * `enter` is told each sample phase as it begins (a growth inside a step is sampled as its phase).
 * @param {Program} program
 * @param {{phase: string, text: string}[]} phases
 * @param {{sample(phase: string, what: string): void, enter?(phase: string): void,
 *   idleMs: number, everyMs: number}} options
 */
export async function runPhases(program, phases, { sample, enter = () => {}, idleMs, everyMs }) {
  for (const { phase, text } of phases) {
    const sampled = phase === 'work' ? 'allocate' : 'free';
    enter(sampled);
    program.run(phase, text, (what) => sample(sampled, what));
  }
  enter('final');
  const until = performance.now() + idleMs;
  do {
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, idleMs)));
    sample('final', 'idle');
  } while (performance.now() < until);
}
