// Who is signed in, the idle lock, and sign-out. The session token lives only in the HttpOnly
// cookie; the page keeps the anti-forgery token and the signed-in user in memory, nothing in
// storage, so nothing outlives sign-out.

import { api, onSessionEnded, setCsrfToken } from "./api";
import type { Me, WebSession } from "./types";

export type Phase = "loading" | "signed-out" | "enrol" | "ready" | "locked";

/** Seconds before the idle limit at which the page warns. */
function warningLead(idleSecs: number): number {
  return Math.min(60, Math.floor(idleSecs / 4));
}
/** The server's idle clock is reset by a request at most this often while the user is active. */
const TOUCH_EVERY_MS = 30_000;
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

class Session {
  phase = $state<Phase>("loading");
  web = $state<WebSession | null>(null);
  me = $state<Me | null>(null);
  /** Why the user is looking at the sign-in page, if not by choice. */
  notice = $state("");
  /** Seconds left before the idle lock, while the warning shows. */
  idleSecondsLeft = $state<number | null>(null);
  /** The user whose session locked: the lock screen signs this user back in. */
  lockedUsername = $state("");

  #lastActivity = Date.now();
  #lastTouch = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #endHandlers = new Set<() => void>();
  /** Set while the page itself ends the session, so the server's answers to that do not
   *  start a second ending. */
  #ending = false;

  constructor() {
    onSessionEnded((code) => {
      if (!this.#ending && (this.phase === "ready" || this.phase === "enrol")) {
        void this.end(code === "wipe-required" ? "wipe" : "ended");
      }
    });
    for (const name of ACTIVITY_EVENTS) {
      window.addEventListener(name, () => this.#activity(), { passive: true, capture: true });
    }
  }

  can(permission: string): boolean {
    return this.me?.permissions.includes(permission) ?? false;
  }

  get isPatient(): boolean {
    return this.me?.user.role === "patient";
  }

  /** Runs when the session ends for any reason: local data must go. */
  onEnd(handler: () => void): () => void {
    this.#endHandlers.add(handler);
    return () => this.#endHandlers.delete(handler);
  }

  /** After a page load: is there still a session in the cookie? */
  async restore(): Promise<void> {
    try {
      await this.adopt(await api.GET("/api/v1/auth/web-session"));
    } catch {
      this.phase = "signed-out";
    }
  }

  async signIn(username: string, password: string, totpCode?: string): Promise<void> {
    const web = await api.POST("/api/v1/auth/web-session", {
      body: { username, password, device_name: browserName(), totp_code: totpCode || undefined },
    });
    this.notice = "";
    await this.adopt(web);
  }

  async adopt(web: WebSession): Promise<void> {
    setCsrfToken(web.csrf_token);
    this.#ending = false;
    this.web = web;
    this.lockedUsername = "";
    this.#lastActivity = Date.now();
    this.#lastTouch = Date.now();
    this.#startIdleClock();
    if (web.scope === "mfa_enrollment") {
      this.phase = "enrol";
      return;
    }
    this.me = await api.GET("/api/v1/me");
    this.phase = "ready";
  }

  /** The second factor is set up: the server made the session a full one. */
  async enrolled(): Promise<void> {
    const web = await api.GET("/api/v1/auth/web-session");
    await this.adopt(web);
  }

  async signOut(): Promise<void> {
    this.#ending = true;
    try {
      await api.POST("/api/v1/auth/logout");
    } catch {
      // Signed out locally either way; the server's idle limit ends the session.
    }
    this.#clear("You are signed out.");
    this.phase = "signed-out";
  }

  /** The server ended the session (revoked, expired) or ordered this device wiped. */
  async end(reason: "ended" | "revoked" | "wipe" | "idle"): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    const username = this.web?.user.username ?? "";
    if (reason === "wipe") {
      // Erase first; the confirmation still needs the anti-forgery token, so it goes last.
      this.#clear("An administrator erased this device's data and signed it out.", { keepCsrf: true });
      try {
        await api.POST("/api/v1/auth/wipe-confirmation");
      } catch {
        // The order stands; the session is already unusable.
      }
      setCsrfToken("");
    } else if (reason === "idle") {
      try {
        await api.POST("/api/v1/auth/logout");
      } catch {
        // The server's own idle limit ends it too.
      }
      this.#clear("Locked after inactivity. Sign in again to continue.");
      this.lockedUsername = username;
      this.phase = "locked";
      return;
    } else {
      this.#clear(
        reason === "revoked"
          ? "Your session was ended by an administrator. Sign in again."
          : "Your session has ended. Sign in again.",
      );
    }
    this.phase = "signed-out";
  }

  /** Keeps the session: the user answered the idle warning. */
  stayActive(): void {
    this.#activity();
  }

  #clear(notice: string, { keepCsrf = false } = {}): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#endHandlers.forEach((handler) => handler());
    if (!keepCsrf) setCsrfToken("");
    this.web = null;
    this.me = null;
    this.idleSecondsLeft = null;
    this.notice = notice;
    try {
      sessionStorage.clear();
      localStorage.clear();
    } catch {
      // Storage may be unavailable; the page stores nothing there anyway.
    }
    // The server's Clear-Site-Data does this too; the page does not rely on it: the service
    // worker goes, with its push subscription and the shell it kept.
    void forgetServiceWorker();
  }

  #activity(): void {
    if (this.phase !== "ready" && this.phase !== "enrol") return;
    this.#lastActivity = Date.now();
    this.idleSecondsLeft = null;
    if (Date.now() - this.#lastTouch > TOUCH_EVERY_MS) {
      this.#lastTouch = Date.now();
      // Any authenticated request resets the server's idle clock.
      api.GET("/api/v1/auth/web-session").catch(() => undefined);
    }
  }

  #startIdleClock(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  #tick(): void {
    const idleSecs = this.web?.idle_timeout_secs;
    if (!idleSecs) return;
    const idleFor = (Date.now() - this.#lastActivity) / 1000;
    const left = Math.ceil(idleSecs - idleFor);
    if (left <= 0) {
      void this.end("idle");
    } else if (left <= warningLead(idleSecs)) {
      this.idleSecondsLeft = left;
    }
  }
}

function browserName(): string {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent) ? "Firefox" : /Edg\//.test(agent) ? "Edge" : /Chrome\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "Browser";
  const platform = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Mac OS/.test(agent) ? "macOS" : /Windows/.test(agent) ? "Windows" : /Linux/.test(agent) ? "Linux" : "";
  return `Web: ${browser}${platform ? ` on ${platform}` : ""}`;
}

export const session = new Session();

/** Unregisters the service worker (ending its push subscription) and empties Cache Storage. */
async function forgetServiceWorker(): Promise<void> {
  try {
    if ("serviceWorker" in navigator) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        await (await registration.pushManager?.getSubscription())?.unsubscribe();
        await registration.unregister();
      }
    }
    if ("caches" in globalThis) {
      for (const key of await caches.keys()) await caches.delete(key);
    }
  } catch {
    // Nothing to forget, or the browser refuses: Clear-Site-Data from the server still applies.
  }
}
