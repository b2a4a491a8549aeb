/** What a command may touch: output streams and its exit code, passed in so tests can capture them. */
export interface CommandContext {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
  /** Whether stderr is a terminal (progress bars and colour only then). */
  readonly interactive: boolean;
}
