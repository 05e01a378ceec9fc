// The page's two views: the lab (the C scenarios, web/app.js) and the real programs
// (web/real-view.js). The lab is shown first and stays as it is; the real programs' module, and
// with it sql.js and wasmoon, load only when that view is first chosen. The address's #real opens
// it, so a link can, also when it is added to an open page.
import { cleanLine, quote } from './message.js';

const views = {
  lab: { button: document.getElementById('view-lab'), box: document.getElementById('lab-view') },
  real: { button: document.getElementById('view-real'), box: document.getElementById('real-view') },
};
const REAL_HASH = '#real';

/** @typedef {typeof import('./real-view.js')} RealView */

/** @type {Promise<RealView|null>|null} the real view's module (null: it failed to load) */
let realView = null;
/** How many times the module was asked for: a retry asks at another address, as a browser may
 *  keep a failed module for its address (Firefox does; the module's own imports are not retried). */
let tries = 0;

/** One line in the real view's error box. @param {string} text */
function sayInRealView(text) {
  const box = document.getElementById('real-error');
  box.textContent = cleanLine(text);
  box.hidden = false;
}

/** Loads and opens the real view. A module that failed to load is said in the view, and the
 *  next choice of the view retries; a failure once loaded is said. */
async function openRealView() {
  const suffix = tries === 0 ? '' : `?try=${tries}`;
  tries += 1;
  let view;
  try {
    view = /** @type {RealView} */ (await import(`./real-view.js${suffix}`));
  } catch (error) {
    realView = null;
    document.getElementById('real-status').textContent = '';
    sayInRealView(
      `web/real-view.js could not be loaded (${error.message}). Choose Real programs again to retry.`,
    );
    return null;
  }
  try {
    await view.openRealView();
  } catch (error) {
    sayInRealView(`The Real programs view could not be set up (${error.message}).`);
  }
  return view;
}

/** Shows `name`'s view and hides the other; the real one is set up the first time, its worker
 *  ended when the lab is shown again (its memory would count in the lab's resident figures). */
function choose(name) {
  for (const [key, { button, box }] of Object.entries(views)) {
    button.setAttribute('aria-pressed', String(key === name));
    box.hidden = key !== name;
  }
  if (name === 'real') realView ??= openRealView();
  else realView?.then((view) => view?.leaveRealView());
  if ((location.hash === REAL_HASH) !== (name === 'real'))
    history.replaceState(
      null,
      '',
      name === 'real' ? REAL_HASH : location.pathname + location.search,
    );
}

/** A file dropped on the real view is refused in one line there: the lab's import (web/app.js,
 *  listening on the document) would load it into the hidden lab. The overlay that invites a drop
 *  is the lab's, so it is not shown either. Listened for on the window, before the document. */
function refuseDrops() {
  const onReal = () => views.lab.box.hidden;
  window.addEventListener(
    'dragenter',
    (event) => {
      if (onReal()) event.stopPropagation();
    },
    true,
  );
  window.addEventListener(
    'drop',
    (event) => {
      const files = event.dataTransfer?.files;
      if (!onReal() || !files?.length) return;
      event.stopPropagation();
      event.preventDefault(); // the browser would otherwise open the file
      sayInRealView(
        `${files.length === 1 ? `${quote(files[0].name)} was` : `${files.length} files were`} not loaded: ` +
          'the Real programs view takes no file (drop it on the lab).',
      );
    },
    true,
  );
}

views.lab.button.addEventListener('click', () => choose('lab'));
views.real.button.addEventListener('click', () => choose('real'));
window.addEventListener('hashchange', () => choose(location.hash === REAL_HASH ? 'real' : 'lab'));
refuseDrops();
if (location.hash === REAL_HASH) choose('real');
