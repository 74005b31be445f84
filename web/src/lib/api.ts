// The one way the page talks to the server: same-origin `/api/v1`, the session in an HttpOnly
// cookie, and the anti-forgery token in a header on every request that may change something.
// Paths, parameters, bodies and answers are typed by the server's OpenAPI document
// (`api-schema.d.ts`, generated from it by `npm run gen:api`), through openapi-fetch.

import createClient from "openapi-fetch";
import type { paths } from "./api-schema";
import type { Problem, SafetyFinding } from "./types";

let csrfToken = "";

/** An answer other than 2xx, with the server's RFC 9457 problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.status = problem.status;
    this.problem = problem;
  }
  /** The problem's short code, e.g. `session-ended`. */
  get code(): string {
    return this.problem.type.split(":").pop() ?? "";
  }
}

/** Listeners told when the server says the session is over (revoked, expired, wiped). */
const endedListeners = new Set<(code: string) => void>();
export function onSessionEnded(listener: (code: string) => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

const SESSION_OVER = new Set(["unauthenticated", "session-ended", "wipe-required"]);

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "type" in body && typeof body.type === "string" && "title" in body;
}

/** The error for a failed answer (its body as parsed, if it was JSON); tells the listeners when
 *  it says the session is over, unless it answers a sign-in request. */
function problemOf(status: number, url: string, body: unknown, fallbackTitle: string): ApiError {
  const problem = isProblem(body) ? body : { type: "about:blank", title: fallbackTitle };
  const error = new ApiError({ ...problem, status });
  if (SESSION_OVER.has(error.code) && !url.includes("/auth/")) {
    endedListeners.forEach((listener) => listener(error.code));
  }
  return error;
}

/** A query string of the parameters that have a value: empty, null and undefined are left out. */
function queryString(query: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  return params.toString();
}

// Answers are read as JSON (the media type picks that body where an answer has several, e.g. CSV),
// or as text where a call says `parseAs: "text"`.
const client = createClient<paths, "application/json">({
  credentials: "same-origin",
  cache: "no-store",
  headers: { accept: "application/json" },
  querySerializer: queryString,
});
client.use({
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD" && csrfToken) request.headers.set("x-csrf-token", csrfToken);
  },
});

/** What openapi-fetch resolves to: the parsed body as `data` (2xx) or `error` (otherwise). */
interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}
/** The body of a 2xx answer (undefined when it has none, e.g. 204). */
type Answer<O> = O extends { data: infer D; error?: never } ? D : never;

/** Resolves to the answer's body, or rejects with ApiError. */
async function answer<O extends Outcome>(pending: Promise<O>): Promise<Answer<O>> {
  const { data, error, response } = await pending;
  if (!response.ok) throw problemOf(response.status, response.url, error, response.statusText || "Request failed");
  // openapi-fetch typed `data` by the path, method and status; only the union is narrowed here.
  return data as Answer<O>;
}

/** One of openapi-fetch's methods, resolving to the body instead of `{ data, error }`. */
function settled<A extends unknown[], O extends Outcome>(method: (...args: A) => Promise<O>): (...args: A) => Promise<Answer<O>> {
  return (...args) => answer(method(...args));
}

/**
 * Requests by method, typed by the document: `api.GET("/api/v1/users/{id}", { params: { path:
 * { id } } })` resolves to the `UserView`. JSON by default; `parseAs: "text"` for CSV reports.
 * Rejects with ApiError for an answer other than 2xx.
 */
export const api = {
  GET: settled(client.GET),
  POST: settled(client.POST),
  PUT: settled(client.PUT),
  PATCH: settled(client.PATCH),
  DELETE: settled(client.DELETE),
};

const UPLOAD_PATH = "/api/v1/attachments" satisfies keyof paths;
type Upload = paths[typeof UPLOAD_PATH]["post"];
type Uploaded = Upload["responses"][201]["content"]["application/json"];

/** Uploads a file into a conversation with progress (fetch cannot report upload progress; XHR
 *  can). The body is the file's bytes; the name travels percent-encoded in `ward-file-name`. */
export function uploadAttachment(
  query: Upload["parameters"]["query"],
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const url = `${UPLOAD_PATH}?${queryString(query)}`;
    request.open("POST", url);
    request.withCredentials = true;
    request.setRequestHeader("accept", "application/json");
    request.setRequestHeader("content-type", "application/octet-stream");
    if (csrfToken) request.setRequestHeader("x-csrf-token", csrfToken);
    request.setRequestHeader("ward-file-name", encodeURIComponent(file.name));
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      const ok = request.status >= 200 && request.status < 300 && typeof body === "object" && body !== null;
      // The document types the 201 answer; the XHR's JSON is taken as that.
      if (ok) resolve(body as Uploaded);
      else reject(problemOf(request.status, url, body, "Upload failed"));
    };
    request.onerror = () => reject(new ApiError({ type: "about:blank", title: "The upload was interrupted", status: 0 }));
    request.send(file);
  });
}

/** The address of a file download (the cookie authenticates it). */
export function attachmentUrl(id: string, thumbnail = false): string {
  const path: keyof paths = thumbnail ? "/api/v1/attachments/{id}/thumbnail" : "/api/v1/attachments/{id}";
  return path.replace("{id}", encodeURIComponent(id));
}

/** The clinical safety findings a failure carries (`safety-review`, `safety-blocked`), if any. */
export function safetyFindings(error: unknown): SafetyFinding[] {
  return error instanceof ApiError ? (error.problem.findings ?? []) : [];
}

/** A readable sentence from any error. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "The server could not be reached. Check the connection and try again.";
}
