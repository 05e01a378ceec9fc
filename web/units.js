// Bytes as MiB: the one definition for the page's modules and the Node tools (tools/*.mjs import
// it from here too), so every figure in MiB is computed and rounded the same way.

/** Bytes in a mebibyte. */
export const MiB = 1024 * 1024;

/**
 * Bytes as MiB with two decimals, for text ("50.00").
 * @param {number} bytes
 * @returns {string}
 */
export function mib(bytes) {
  return (bytes / MiB).toFixed(2);
}

/**
 * Bytes as MiB with the unit, for a tool's line ("50.00 MiB"); "?" for a figure not read.
 * @param {number | null | undefined} bytes
 * @returns {string}
 */
export function mibText(bytes) {
  return bytes === undefined || bytes === null ? '?' : `${mib(bytes)} MiB`;
}
