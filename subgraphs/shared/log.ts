/**
 * The hub's log: one line per event on stderr, prefixed with the component. Deliberately small:
 * callers pass messages, never request variables or SQL parameters, so patient identity numbers
 * cannot reach the log through it.
 */
export type Level = "debug" | "info" | "warn" | "error";

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const configured = (process.env.LOG_LEVEL || "info") as Level;
  return ORDER[configured] ?? ORDER.info;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function logger(component: string): Logger {
  const write = (level: Level, message: string) => {
    if (ORDER[level] < threshold()) return;
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${message}\n`);
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}
