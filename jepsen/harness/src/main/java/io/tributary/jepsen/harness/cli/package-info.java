/** The {@code tributary jepsen} command: runs a workload against a real cluster under faults and checks it. */
package io.tributary.jepsen.harness.cli;
