/** The {@code tributary check} command. */
package io.tributary.jepsen.cli;
