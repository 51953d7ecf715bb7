/**
 * The HTML report of a check: one self-contained file (inline CSS and JavaScript, no network) with a
 * timeline per partition.
 */
package io.tributary.jepsen.visual;
