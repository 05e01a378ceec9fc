// Presenter mode's slides: the presenter moves on (Next), looks back (Back) and pauses the run,
// and a slide stays until they move on. Slides come as the presentation reaches them (a phase
// of a run, a run's verdict, a remedy, the closing comparison); the newest is the frontier,
// and the presentation waits there until the presenter moves past it. Back and Next over
// slides already shown only change what is shown. Pure: app.js draws the slides and runs the
// presentation.

/**
 * @typedef {{title: string, text: string, rows?: string[][]}} Slide rows: a table (closing
 *   slide), the first row its head
 */

export class SlideDeck {
  /** @type {Slide[]} */
  #slides = [];
  #index = -1;
  /** @type {((how: 'next'|'closed') => void)|null} called once the frontier is left */
  #leave = null;
  closed = false;

  /** @param {(slide: Slide, position: {index: number, count: number}) => void} show */
  constructor(show) {
    this.show = show;
  }

  get position() {
    return { index: this.#index, count: this.#slides.length };
  }

  /** @returns {Slide|null} */
  get current() {
    return this.#slides[this.#index] ?? null;
  }

  /** Whether the frontier waits for the presenter (a run holds there). */
  get waiting() {
    return this.#leave !== null;
  }

  #draw() {
    this.show(this.#slides[this.#index], this.position);
  }

  /**
   * Adds a slide and shows it; `onLeave` is called once the presenter moves past it (with
   * 'closed' if the presentation ends there instead).
   * @param {Slide} slide
   * @param {(how: 'next'|'closed') => void} onLeave
   */
  push(slide, onLeave) {
    if (this.closed) return onLeave('closed');
    this.#leave?.('next'); // a newer slide replaces a frontier nobody waited on
    this.#slides.push(slide);
    this.#index = this.#slides.length - 1;
    this.#leave = onLeave;
    this.#draw();
  }

  /**
   * Adds a slide and waits until the presenter moves past it.
   * @param {Slide} slide
   * @returns {Promise<'next'|'closed'>}
   */
  wait(slide) {
    return new Promise((resolve) => this.push(slide, resolve));
  }

  /** Changes the slide shown (a table slide's text, a remedy's outcome). */
  update(slide) {
    this.#slides[this.#slides.length - 1] = slide;
    if (this.#index === this.#slides.length - 1) this.#draw();
  }

  next() {
    if (this.#index < this.#slides.length - 1) {
      this.#index += 1;
      this.#draw();
      return;
    }
    const leave = this.#leave;
    this.#leave = null;
    leave?.('next');
  }

  back() {
    if (this.#index <= 0) return;
    this.#index -= 1;
    this.#draw();
  }

  /** Ends the presentation: whatever waits at the frontier is told so. */
  close() {
    this.closed = true;
    const leave = this.#leave;
    this.#leave = null;
    leave?.('closed');
  }

  /** The slides so far, for the debug hook and the tests. */
  slides() {
    return this.#slides.map((slide) => ({ ...slide }));
  }
}

/**
 * Draws `slide` in presenter mode's box (every text as text).
 * @param {{title: HTMLElement, text: HTMLElement, table: HTMLTableElement, count: HTMLElement}}
 *   view
 * @param {Slide} slide
 * @param {{index: number, count: number}} position
 */
export function showSlide(view, slide, { index, count }) {
  view.title.textContent = slide.title;
  view.text.textContent = slide.text;
  view.count.textContent = `${index + 1} / ${count}`;
  view.table.hidden = !slide.rows;
  if (!slide.rows) return;
  const row = (cells, tag) => {
    const tr = document.createElement('tr');
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      if (tag === 'th') cell.scope = 'col';
      tr.append(cell);
    }
    return tr;
  };
  const [head, ...body] = slide.rows;
  view.table.tHead.replaceChildren(row(head, 'th'));
  view.table.tBodies[0].replaceChildren(...body.map((cells) => row(cells, 'td')));
}
