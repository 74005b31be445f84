// The one way the page talks to the server: same-origin `/api/v1`, the session in an HttpOnly
// cookie, and the anti-forgery token in a header on every request that may change something.

import type { Problem } from "./types";

const BASE = "/api/v1";
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

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem;
  try {
    problem = (await response.json()) as Problem;
  } catch {
    problem = { type: "about:blank", title: response.statusText || "Request failed", status: response.status };
  }
  const error = new ApiError({ ...problem, status: response.status });
  if (SESSION_OVER.has(error.code) && !response.url.includes("/auth/")) {
    endedListeners.forEach((listener) => listener(error.code));
  }
  return error;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
}

function url(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return `${BASE}${path}${text ? `?${text}` : ""}`;
}

function headers(method: string, extra?: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = { accept: "application/json", ...extra };
  if (method !== "GET" && method !== "HEAD" && csrfToken) result["x-csrf-token"] = csrfToken;
  return result;
}

/** A JSON request; resolves to the parsed body (undefined for 204), rejects with ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: headers(method, options.body === undefined ? undefined : { "content-type": "application/json" }),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  };
  const response = await fetch(url(path, options.query), init);
  if (!response.ok) throw await problemOf(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A text answer (CSV reports). */
export async function apiText(path: string, query?: RequestOptions["query"]): Promise<string> {
  const response = await fetch(url(path, query), { credentials: "same-origin", cache: "no-store", headers: headers("GET") });
  if (!response.ok) throw await problemOf(response);
  return response.text();
}

/** Uploads a file with progress (fetch cannot report upload progress; XHR can). */
export function upload<T>(path: string, query: RequestOptions["query"], file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url(path, query));
    request.withCredentials = true;
    for (const [name, value] of Object.entries(headers("POST", { "content-type": "application/octet-stream" }))) {
      request.setRequestHeader(name, value);
    }
    request.setRequestHeader("ward-file-name", encodeURIComponent(file.name));
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = { type: "about:blank", title: "Upload failed", status: request.status };
      }
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else reject(new ApiError({ ...(body as Problem), status: request.status }));
    };
    request.onerror = () => reject(new ApiError({ type: "about:blank", title: "The upload was interrupted", status: 0 }));
    request.send(file);
  });
}

/** The address of a file download (the cookie authenticates it). */
export function attachmentUrl(id: string, thumbnail = false): string {
  return `${BASE}/attachments/${encodeURIComponent(id)}${thumbnail ? "/thumbnail" : ""}`;
}

/** A readable sentence from any error. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "The server could not be reached. Check the connection and try again.";
}
