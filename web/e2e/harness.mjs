// Test harness: a real `ward demo` server on a random loopback port with its own data
// directory, and Debian's Chromium driven by playwright-core.

import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

export const PASSWORD = "ward-demo-password";
const here = path.dirname(new URL(import.meta.url).pathname);
export const ARTIFACTS = path.join(here, "artifacts");
export const SCREENSHOTS = path.resolve(here, "../../docs/screenshots");

const CHROMIUM = process.env.WARD_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const START_TIMEOUT_MS = 120_000;

/** Starts `ward demo` and resolves once it prints its address. */
export async function startServer() {
  const bin = process.env.WARD_BIN;
  if (!bin || !existsSync(bin)) throw new Error(`set WARD_BIN to the ward binary (got ${bin})`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "ward-e2e-"));
  const child = spawn(bin, ["demo", "--data-dir", dataDir, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ward demo did not start:\n${output}`)), START_TIMEOUT_MS);
    const read = (chunk) => {
      output += chunk.toString();
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ward demo exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.on("exit", resolve);
        setTimeout(resolve, 10_000);
      });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

/** A browser context with a page, failing the test on any CSP violation or page error. */
export async function openPage(browser, baseURL, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
      page.problems.push(message.text());
    }
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  return { context, page };
}

export async function signIn(page, username, { totpSecret, totpAt = Date.now(), password = PASSWORD } = {}) {
  await page.goto("/");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  if (totpSecret) {
    await page.getByLabel("One-time code").fill(totp(totpSecret, totpAt));
  }
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in an account that must enrol a second factor, enrols it through the page, and
 *  returns the secret. */
export async function signInAndEnrol(page, username) {
  await signIn(page, username);
  const secret = (await page.getByTestId("totp-secret").textContent()).trim();
  await page.getByLabel("One-time code").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  return secret;
}

/** RFC 6238 (SHA-1, 6 digits, 30 s): the test plays the user's authenticator app. */
export function totp(base32, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of base32.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

/** Runs axe on the page; returns the serious and critical violations. */
export async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

/** A bearer-token API client for setting up what a test needs outside the page (with the
 *  account's second factor, if it has one). */
export async function apiAs(baseURL, username, { totpSecret, totpAt = Date.now() } = {}) {
  const totp_code = totpSecret ? totp(totpSecret, totpAt) : undefined;
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD, device_name: "e2e setup", totp_code }),
  });
  if (!login.ok) throw new Error(`sign-in of ${username}: ${login.status}`);
  const { token } = await login.json();
  return async (pathname, init = {}) => {
    const response = await fetch(`${baseURL}/api/v1${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
    });
    if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
}
