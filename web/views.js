// The page's two views: the lab (the C scenarios, web/app.js) and the real programs
// (web/real-view.js). The lab is shown first and stays as it is; the real programs' module, and
// with it sql.js and wasmoon, load only when that view is first chosen. The address's #real opens
// it, so a link can.
const views = {
  lab: { button: document.getElementById('view-lab'), box: document.getElementById('lab-view') },
  real: { button: document.getElementById('view-real'), box: document.getElementById('real-view') },
};
const REAL_HASH = '#real';

/** @type {Promise<unknown>|null} */
let realView = null;

/** Shows `name`'s view and hides the other; the real one is set up the first time. */
function choose(name) {
  for (const [key, { button, box }] of Object.entries(views)) {
    button.setAttribute('aria-pressed', String(key === name));
    box.hidden = key !== name;
  }
  if (name === 'real') realView ??= import('./real-view.js').then((m) => m.openRealView());
  if ((location.hash === REAL_HASH) !== (name === 'real'))
    history.replaceState(
      null,
      '',
      name === 'real' ? REAL_HASH : location.pathname + location.search,
    );
}

views.lab.button.addEventListener('click', () => choose('lab'));
views.real.button.addEventListener('click', () => choose('real'));
if (location.hash === REAL_HASH) choose('real');
