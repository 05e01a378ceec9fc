// The map panel's drawing: a memory map as a grid of cells on a canvas (each cell one page, or N
// pages with their mix of classes stacked in it), a legend in plain words with each class's MiB
// (the text a screen reader reads; the canvas is labelled with the same counts), and the address
// range and class of the cell under the pointer. One MapView per map: the module's live one and
// the native one beside it. The arithmetic is web/map-cells.js's.
import { wrap } from './chart-view.js';
import { CLASSES } from './memory-map.js';
import { CLASS_WORDS, cellText, cellsOf, classMib, pagesPerCell, sizeText } from './map-cells.js';

/** Cells per row of the grid. */
export const COLUMNS = 64;
/** Each class's colour: live as the chart's bytes in use, cached as its retained cache. */
export const CLASS_COLORS = Object.freeze({
  live: '#1b4fa0',
  cached: '#e67e00',
  free: '#d3d9e1',
  above: '#f4f6f9',
  static: '#6f7f99',
});
const GAP_MIN_CELL = 4; // device pixels: below this cells touch

/**
 * @typedef {import('./map-cells.js').PanelMap} PanelMap
 * @typedef {import('./map-cells.js').Cells} Cells
 */

/** The legend: a swatch, the class in words and its MiB, one item per class. */
function legendItems(counts) {
  return counts.map(({ name, mib }) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = CLASS_COLORS[name];
    swatch.setAttribute('aria-hidden', 'true');
    const figure = document.createElement('b');
    figure.textContent = `${mib.toFixed(2)} MiB`;
    item.append(swatch, `${CLASS_WORDS[name]} `, figure);
    return item;
  });
}

export class MapView {
  /** @type {Cells|null} */
  #cells = null;
  /** @type {PanelMap|null} */
  #map = null;

  /**
   * @param {{canvas: HTMLCanvasElement, caption: HTMLElement, counts: HTMLElement,
   *          hover: HTMLElement}} elements counts: a list, the legend with each class's MiB;
   *   hover: the line that says what the cell under the pointer covers
   * @param {string} what the map's name in the canvas's label ("The module's memory map")
   */
  constructor(elements, what) {
    Object.assign(this, elements);
    this.what = what;
    elements.canvas.addEventListener('pointermove', (event) => this.#hover(event));
    elements.canvas.addEventListener('pointerleave', () => (elements.hover.textContent = ''));
  }

  /** The map on the canvas now (null: none). */
  get map() {
    return this.#map;
  }

  /**
   * Draws `map` and writes its counts; `caption` says what it is.
   * @param {PanelMap} map
   * @param {string} caption
   */
  show(map, caption) {
    this.#map = map;
    this.#cells = cellsOf(map.classes, pagesPerCell(map.classes.length));
    const per = this.#cells.perCell;
    const scale = `each cell ${per === 1 ? 'one page' : `${per} pages`} of ${sizeText(map.page_bytes)}`;
    this.caption.textContent = `${caption} (${sizeText(map.classes.length * map.page_bytes)}, ${scale})`;
    const counts = classMib(map.classes, map.page_bytes);
    this.counts.replaceChildren(...legendItems(counts));
    this.canvas.setAttribute(
      'aria-label',
      `${this.what}, ${this.caption.textContent}: ` +
        counts.map(({ name, mib }) => `${name} ${mib.toFixed(2)} MiB`).join(', '),
    );
    this.#draw();
  }

  /** Empties the map and says why in its caption. @param {string} reason */
  clear(reason) {
    this.#map = null;
    this.#cells = null;
    this.caption.textContent = reason;
    this.counts.replaceChildren();
    this.hover.textContent = '';
    this.canvas.setAttribute('aria-label', `${this.what}: ${reason}`);
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The canvas at the device's resolution for the grid's rows; the cell size. */
  #size(rows) {
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = this.canvas.clientWidth || 256;
    const width = Math.round(cssWidth * ratio);
    const cell = width / COLUMNS;
    const height = Math.max(1, Math.round(rows * cell));
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    this.canvas.style.height = `${height / ratio}px`;
    return cell;
  }

  #draw() {
    const cells = /** @type {Cells} */ (this.#cells);
    const rows = Math.ceil(cells.cells / COLUMNS);
    const cell = this.#size(rows);
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const gap = cell >= GAP_MIN_CELL ? 1 : 0;
    const width = CLASSES.length;
    for (let i = 0; i < cells.cells; i++) {
      const x = Math.round((i % COLUMNS) * cell);
      const y = Math.round(Math.floor(i / COLUMNS) * cell);
      const w = Math.round((i % COLUMNS) * cell + cell) - x - gap;
      const h = Math.round(Math.floor(i / COLUMNS) * cell + cell) - y - gap;
      let total = 0;
      for (let code = 0; code < width; code++) total += cells.counts[i * width + code];
      // The mix stacked from the cell's top, class by class, in proportion to its pages.
      let top = y;
      let seen = 0;
      CLASSES.forEach((name, code) => {
        const count = cells.counts[i * width + code];
        if (!count) return;
        seen += count;
        const bottom = y + Math.round((h * seen) / total);
        ctx.fillStyle = CLASS_COLORS[name];
        ctx.fillRect(x, top, w, bottom - top);
        top = bottom;
      });
    }
  }

  /** @param {PointerEvent} event */
  #hover(event) {
    const cells = this.#cells;
    if (!cells || !this.#map) return;
    const box = this.canvas.getBoundingClientRect();
    const column = Math.floor(((event.clientX - box.left) / box.width) * COLUMNS);
    const row = Math.floor(((event.clientY - box.top) / box.width) * COLUMNS);
    const cell = row * COLUMNS + column;
    const inside = column >= 0 && column < COLUMNS && cell >= 0 && cell < cells.cells;
    this.hover.textContent = inside
      ? cellText(cells, cell, this.#map.page_bytes, this.#map.classes.length)
      : '';
  }

  /**
   * The map as an image for the PNG export: its caption, the grid and the legend with its MiB,
   * `width` device pixels wide (null: no map).
   * @param {number} width
   * @returns {HTMLCanvasElement|null}
   */
  exportImage(width) {
    if (!this.#map) return null;
    const font = `13px system-ui, sans-serif`;
    const line = 21;
    const inset = 8; // off the image's edge, as the chart's own padding is
    const inner = width - 2 * inset;
    const legend = [...this.counts.children].map((item) => item.textContent ?? '');
    const gridHeight = Math.round((this.canvas.height * inner) / this.canvas.width);
    const image = document.createElement('canvas');
    const ctx = image.getContext('2d');
    ctx.font = font;
    // Wrapped, not squeezed: a caption wider than the map is drawn on two lines.
    const caption = wrap(ctx, this.caption.textContent ?? '', inner);
    const gridTop = caption.length * line;
    image.width = width;
    image.height = gridTop + gridHeight + 4 + legend.length * line;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, image.width, image.height);
    ctx.font = font; // sizing the canvas reset it
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1d2430';
    caption.forEach((text, i) => ctx.fillText(text, inset, i * line + line / 2));
    ctx.drawImage(this.canvas, inset, gridTop, inner, gridHeight);
    legend.forEach((text, i) => {
      const y = gridTop + gridHeight + 4 + i * line;
      ctx.fillStyle = CLASS_COLORS[CLASSES[i]];
      ctx.fillRect(inset, y + 3, line - 6, line - 6);
      ctx.strokeStyle = '#8a96a6';
      ctx.strokeRect(inset + 0.5, y + 3.5, line - 7, line - 7);
      ctx.fillStyle = '#1d2430';
      ctx.fillText(text, inset + line, y + line / 2, inner - line);
    });
    return image;
  }
}
