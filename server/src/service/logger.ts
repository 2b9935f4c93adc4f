// Where the service writes what went wrong. The server passes the LSP connection's console; tests
// and the CLI may pass nothing.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything. */
export const nullLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
