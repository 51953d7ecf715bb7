/**
 * Small text codecs shared by the history readers and the HTML report: the subsets of EDN and JSON that
 * histories use. May change without notice.
 */
package io.tributary.jepsen.internal;
