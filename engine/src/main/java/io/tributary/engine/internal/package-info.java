/**
 * Implementation details of the engine. They may change at any time; use the types in
 * {@code io.tributary.engine} instead.
 */
package io.tributary.engine.internal;
