import { StartupError } from "./errors";

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs a process entry point: start-up problems print one line and exit 1 (no stack trace for an
 * operator to decode); SIGINT/SIGTERM stop the started parts in order; a second signal exits at
 * once.
 */
export function runMain(name: string, start: () => Promise<Stoppable>): void {
  let running: Stoppable | undefined;
  let stoppingSince: number | undefined;

  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      // `npm start` forwards the terminal's Ctrl-C to us, so one keypress arrives twice; only a
      // later, deliberate second Ctrl-C skips the orderly shutdown.
      if (Date.now() - stoppingSince < 1000) return;
      process.stderr.write(`${name}: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    const stopped = running ? running.stop() : Promise.resolve();
    stopped.then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`${name}: shutdown failed: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  start().then(
    (started) => {
      running = started;
      if (stoppingSince !== undefined) started.stop().finally(() => process.exit(0));
    },
    (error: Error) => {
      if (error instanceof StartupError) process.stderr.write(`${name}: ${error.message}\n`);
      else process.stderr.write(`${name}: failed to start: ${error.message}\n${process.env.LOG_LEVEL === "debug" ? error.stack : ""}`);
      process.exit(1);
    },
  );
}
