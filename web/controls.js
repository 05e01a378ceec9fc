// The run controls built from the engine's own list (lab.scenarios()): the scenario picker and,
// per scenario, one field per parameter with its default and bounds. Nothing about a scenario
// is written here by hand, so the page cannot drift from the engine. Every value is checked by
// the engine (lab.checkParam) and its message is shown next to the field.

/** Text for the hint under a field: bounds and default, from the engine's description. */
function hintOf(param) {
  if (param.kind === 'integer')
    return (
      `${param.description}; ${param.min.toLocaleString('en')} to ` +
      `${param.max.toLocaleString('en')} ${param.unit}, default ${param.default.toLocaleString('en')}`
    );
  return `${param.description}; default ${param.default}`;
}

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'text') node.textContent = value;
    else if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** Fills the scenario <select> from the engine's list. */
export function fillScenarioPicker(select, scenarios, chosen) {
  select.replaceChildren(
    ...scenarios.map(({ name }) => element('option', { value: name, text: name })),
  );
  select.value = chosen;
}

/**
 * The parameter fields of one scenario.
 * @returns {{values: () => object, check: () => boolean, valid: () => boolean,
 *            fields: HTMLInputElement[], setDefaults: () => void}}
 *   values(): {name: text as typed}; check(): shows the engine's message at every invalid
 *   field and says whether all are valid; valid(): whether every field was valid when last
 *   checked (typing checks the field typed in).
 */
export function buildParamFields(container, lab, scenario, onChange) {
  const { params } = lab.scenarios().find((s) => s.name === scenario);
  const rows = params.map((param) => {
    const id = `param-${param.name}`;
    const input = element('input', {
      id,
      name: param.name,
      type: 'text',
      value: String(param.default),
      autocomplete: 'off',
      spellcheck: false,
      inputMode: param.kind === 'integer' ? 'numeric' : 'text',
    });
    input.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
    const error = element('p', { id: `${id}-error`, className: 'field-error', hidden: true });
    error.setAttribute('role', 'alert');
    const row = element('div', { className: 'param' }, [
      element('label', { htmlFor: id, text: `${param.name} (${param.unit})` }),
      input,
      element('p', { id: `${id}-hint`, className: 'hint', text: hintOf(param) }),
      error,
    ]);
    return { param, input, error, row };
  });
  container.replaceChildren(...rows.map((r) => r.row));

  const checkOne = ({ param, input, error }) => {
    const problem = lab.checkParam(scenario, `${param.name}=${input.value.trim()}`);
    error.textContent = problem ? problem.message : '';
    error.hidden = !problem;
    input.setAttribute('aria-invalid', String(Boolean(problem)));
    return !problem;
  };
  for (const row of rows)
    row.input.addEventListener('input', () => {
      checkOne(row);
      onChange?.();
    });

  return {
    fields: rows.map((r) => r.input),
    values: () =>
      Object.fromEntries(rows.map(({ param, input }) => [param.name, input.value.trim()])),
    check: () => rows.map(checkOne).every(Boolean),
    valid: () => rows.every(({ input }) => input.getAttribute('aria-invalid') !== 'true'),
    setDefaults() {
      for (const row of rows) row.input.value = String(row.param.default);
      rows.forEach(checkOne);
    },
  };
}

/** The description of a scenario, from the engine's list. */
export function describeScenario(lab, scenario) {
  return lab.scenarios().find((s) => s.name === scenario)?.description ?? '';
}
