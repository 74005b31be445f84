// The busy flag and error message of a panel's requests, kept in one place. A panel makes an
// `Action` per error line it shows and runs each request through it: `run` marks it busy, clears
// the error, awaits the task, turns a failure into the message to show, and clears busy again.

import { ApiError, describe } from "./api";

/** A problem with what the user entered, found before asking the server. Thrown from a task,
 *  its message is shown as it is. */
export class Invalid extends Error {}

/** How a failure reads: an Invalid's own message, else `describe`'s sentence. */
export function explain(error: unknown): string {
  return error instanceof Invalid ? error.message : describe(error);
}

/** An `explain` for forms: a problem about one field names it as the form labels it. */
export function explainField(labels: Record<string, string>): (error: unknown) => string {
  return (error) => {
    const field = error instanceof ApiError ? error.problem.field : undefined;
    return field ? `${labels[field] ?? field}: ${explain(error)}` : explain(error);
  };
}

export interface RunOptions {
  /** Names the task for `busyWith`: what it is ("load") or the row it acts on (an id). */
  tag?: string;
  /** The message for a failure ("" shows none); it may also act on the error. */
  explain?: (error: unknown) => string;
}

export class Action {
  /** The message of the last failure; cleared when a task starts. */
  error = $state("");
  /** The tags of the tasks running now, one entry per task. */
  #running = $state<string[]>([]);

  /** Whether any task is running. */
  get busy(): boolean {
    return this.#running.length > 0;
  }

  /** Whether a task run with this tag is running. */
  busyWith(tag: string): boolean {
    return this.#running.includes(tag);
  }

  /** Runs a task; resolves to its result, or to undefined once a failure is in `error`. */
  async run<T>(task: () => Promise<T>, { tag = "", explain: explainError = explain }: RunOptions = {}): Promise<T | undefined> {
    this.#running.push(tag);
    this.error = "";
    try {
      return await task();
    } catch (error) {
      this.error = explainError(error);
      return undefined;
    } finally {
      this.#running.splice(this.#running.indexOf(tag), 1);
    }
  }
}
