// End-to-end flows of the web client against a real `ward demo` server in Debian's Chromium.
// Run with `npm run e2e` (WARD_BIN set to the ward binary); `cargo xtask test` does it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  ARTIFACTS, SCREENSHOTS, apiAs, launchBrowser, openPage, seriousViolations, signIn, signInAndEnrol,
} from "./harness.mjs";
import { startServer } from "./harness.mjs";
import { png } from "./png.mjs";

const LIVE = { timeout: 10_000 };
let server;
let browser;
/** The admin's second factor, enrolled in the admin console test. */
let adminSecret;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs `body` with fresh pages; on failure keeps a screenshot of each for the CI log. */
async function withPages(name, sizes, body) {
  const opened = [];
  for (const size of sizes) opened.push(await openPage(browser, server.url, size));
  try {
    await body(...opened.map((o) => o.page));
    for (const { page } of opened) assert.deepEqual(page.problems, [], "no CSP violation or page error");
  } catch (error) {
    for (const [index, { page }] of opened.entries()) {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${index}.png`), fullPage: true }).catch(() => {});
    }
    throw error;
  } finally {
    for (const { context } of opened) await context.close();
  }
}

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 360, height: 740 };

describe("the page", () => {
  test("is served with a strict Content-Security-Policy and no framing", async () => {
    for (const pathname of ["/", "/c/00000000-0000-0000-0000-000000000000"]) {
      const response = await fetch(`${server.url}${pathname}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type"), /text\/html/);
      const csp = response.headers.get("content-security-policy");
      const scripts = /script-src ([^;]+)/.exec(csp)?.[1] ?? "";
      assert.match(scripts, /'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.doesNotMatch(await response.text(), /<script>(?!<\/script>)/, "no inline script");
    }
    const api = await fetch(`${server.url}/api/v1/nothing-here`);
    assert.equal(api.status, 404, "unknown API paths stay API errors");
    assert.match(api.headers.get("content-type"), /problem\+json/);
  });

  test("keeps the session token out of reach of scripts", async () => {
    const response = await fetch(`${server.url}/api/v1/auth/web-session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "nurse.chen", password: "ward-demo-password", device_name: "probe" }),
    });
    assert.equal(response.status, 200);
    const cookie = response.headers.get("set-cookie");
    assert.match(cookie, /^ward_session=ward_/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const body = await response.json();
    assert.equal(body.token, undefined, "the token is not in the body");
    const session = cookie.split(";")[0];
    const forged = await fetch(`${server.url}/api/v1/auth/logout`, { method: "POST", headers: { cookie: session } });
    assert.equal(forged.status, 403, "a cookie without the anti-forgery header changes nothing");
    const still = await fetch(`${server.url}/api/v1/me`, { headers: { cookie: session } });
    assert.equal(still.status, 200, "the session survived the forged request");
    const genuine = await fetch(`${server.url}/api/v1/auth/logout`, {
      method: "POST",
      headers: { cookie: session, "x-csrf-token": body.csrf_token },
    });
    assert.equal(genuine.status, 204);
    assert.match(genuine.headers.get("set-cookie"), /Max-Age=0/);
  });

  test("sign-in page has no serious accessibility violations", async () => {
    await withPages("sign-in", [DESKTOP], async (page) => {
      await page.goto("/");
      await page.getByRole("heading", { name: "Sign in to Ward" }).waitFor();
      assert.deepEqual(await seriousViolations(page), []);
    });
  });
});

describe("clinicians", () => {
  test("a nurse and a physician exchange messages live, with read receipts, an acknowledged urgent message and a file", async () => {
    await withPages("clinicians", [DESKTOP, DESKTOP], async (nurse, doctor) => {
      await signIn(nurse, "nurse.reyes");
      await signIn(doctor, "dr.okafor");
      await nurse.getByRole("link", { name: "Dr. Ada Okafor" }).click();
      await doctor.getByRole("link", { name: "Maria Reyes, RN" }).click();
      await nurse.getByText("Online").waitFor();
      await doctor.getByText("Online").waitFor();

      // A message reaches the other side live, and the read receipt comes back.
      const text = "Bed four is ready for the transfer this afternoon";
      await nurse.getByLabel("Message", { exact: true }).fill(text);
      await nurse.getByRole("button", { name: "Send" }).click();
      await doctor.getByText(text).waitFor(LIVE);
      await nurse.getByTestId("delivery-state").last().getByText("Read by Dr. Ada Okafor").waitFor(LIVE);

      // An urgent message is acknowledged by the recipient; the sender sees it.
      await nurse.getByLabel("Message", { exact: true }).fill("Please review the new potassium result");
      await nurse.getByLabel("Priority").selectOption("urgent");
      await nurse.getByRole("button", { name: "Send" }).click();
      const urgent = doctor.getByRole("listitem").filter({ hasText: "Please review the new potassium result" });
      await urgent.getByText("Urgent").waitFor(LIVE);
      await urgent.getByRole("button", { name: "Acknowledge" }).click();
      await nurse
        .getByRole("listitem")
        .filter({ hasText: "Please review the new potassium result" })
        .getByText("Acknowledged by Dr. Ada Okafor")
        .waitFor(LIVE);
      // After a reload the acknowledgement is still shown (it comes with the page of messages).
      await nurse.reload();
      await nurse
        .getByRole("listitem")
        .filter({ hasText: "Please review the new potassium result" })
        .getByText("Acknowledged by Dr. Ada Okafor")
        .waitFor(LIVE);

      // Clinical safety findings are shown before a message goes.
      await doctor.getByLabel("Message", { exact: true }).fill("Start 10 U insulin with the evening meal");
      await doctor.getByRole("button", { name: "Send" }).click();
      await doctor.getByRole("alert").getByText("Check before sending:").waitFor(LIVE);
      await doctor.getByRole("button", { name: "Send anyway" }).click();
      await nurse.getByText("Start 10 U insulin with the evening meal").waitFor(LIVE);

      // A file is uploaded with the composer and downloaded by the other side.
      await nurse.locator("#composer-files").setInputFiles({ name: "wound-photo.png", mimeType: "image/png", buffer: png() });
      await nurse.getByText("Attached").waitFor(LIVE);
      await nurse.getByLabel("Message", { exact: true }).fill("Photo of the dressing");
      await nurse.getByRole("button", { name: "Send" }).click();
      const link = doctor.getByRole("link", { name: "Download wound-photo.png" });
      await link.waitFor(LIVE);
      const [download] = await Promise.all([doctor.waitForEvent("download"), link.click()]);
      const bytes = readFileSync(await download.path());
      assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "the download is the PNG");

      assert.deepEqual(await seriousViolations(doctor), [], "messenger is accessible");
      await doctor.screenshot({ path: path.join(SCREENSHOTS, "clinician-1280x800.png") });
    });
  });

  test("a dropped connection shows offline, then reconnects and catches up on what was missed", async () => {
    await withPages("reconnect", [DESKTOP, DESKTOP], async (nurse, doctor) => {
      // The physician's WebSocket goes through the test, which can cut it and refuse new ones.
      let socket = null;
      let refusing = false;
      await doctor.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
        if (refusing) {
          ws.close();
          return;
        }
        socket = ws;
        ws.connectToServer();
      });
      await signIn(nurse, "nurse.reyes");
      await signIn(doctor, "dr.okafor");
      await nurse.getByRole("link", { name: "Dr. Ada Okafor" }).click();
      await doctor.getByRole("link", { name: "Maria Reyes, RN" }).click();
      await doctor.getByText("Online").waitFor(LIVE);

      refusing = true;
      await socket.close();
      await doctor.getByText("Offline — reconnecting").waitFor(LIVE);
      const missed = "Sent while the physician was offline: K+ is 5.9";
      await nurse.getByLabel("Message", { exact: true }).fill(missed);
      await nurse.getByRole("button", { name: "Send" }).click();
      await nurse.getByText(missed).waitFor(LIVE);
      assert.equal(await doctor.getByText(missed).count(), 0, "nothing arrives while offline");

      refusing = false;
      await doctor.getByText("Online").waitFor({ timeout: 40_000 });
      await doctor.getByText(missed).waitFor(LIVE);
      assert.equal(await doctor.getByText(missed).count(), 1, "caught up exactly once");
    });
  });

  test("the clinician view works on phone-sized screens, composer in reach", async () => {
    for (const size of [PHONE, SMALL_PHONE]) {
      await withPages(`phone-${size.width}`, [size], async (page) => {
        await signIn(page, "dr.okafor");
        await page.getByRole("link", { name: "Maria Reyes, RN" }).click();
        await page.getByText("Bed four is ready for the transfer this afternoon").waitFor(LIVE);
        await page.getByRole("link", { name: "Back to conversations" }).waitFor();
        // With the keyboard closed, the whole composer is on the screen without scrolling the
        // page, and the header is one line.
        const composer = [
          page.getByLabel("Message", { exact: true }),
          page.getByLabel("Priority"),
          page.getByText("Attach files"),
          page.getByRole("button", { name: "Send" }),
        ];
        for (const control of composer) {
          const box = await control.boundingBox();
          assert.ok(box, "the control is shown");
          assert.ok(box.y >= 0 && box.y + box.height <= size.height, `${size.width}x${size.height}: ${JSON.stringify(box)} is off the screen`);
          assert.ok(box.x >= 0 && box.x + box.width <= size.width, `${size.width}x${size.height}: ${JSON.stringify(box)} is off the screen`);
        }
        const header = await page.locator("header.topbar").boundingBox();
        assert.ok(header && header.height <= 56, `the header wraps: ${JSON.stringify(header)}`);
        assert.equal(await page.evaluate(() => window.scrollY), 0, "the page itself does not scroll");
        assert.deepEqual(await seriousViolations(page), []);
        await page.screenshot({ path: path.join(SCREENSHOTS, `clinician-${size.width}x${size.height}.png`) });
        await page.getByRole("link", { name: "Back to conversations" }).click();
        await page.getByRole("heading", { name: "Patients" }).waitFor();
      });
    }
  });

  test("the installable app keeps only its shell, opens offline to the sign-in, turns on push and forgets it all on sign-out", async () => {
    await withPages("pwa", [PHONE], async (page) => {
      // The manifest Chromium installs from, served as a manifest, with both icons.
      const manifest = await page.request.get("/manifest.webmanifest");
      assert.match(manifest.headers()["content-type"], /^application\/manifest\+json/);
      const app = await manifest.json();
      assert.equal(app.display, "standalone");
      assert.deepEqual(app.icons.map((i) => i.sizes), ["192x192", "512x512"]);
      for (const icon of app.icons) {
        assert.equal((await page.request.get(icon.src)).headers()["content-type"], "image/png");
      }
      const cdp = await page.context().newCDPSession(page);
      await page.goto("/");
      const parsed = await cdp.send("Page.getAppManifest");
      assert.deepEqual(parsed.errors, [], "the manifest parses");
      const installability = await cdp.send("Page.getInstallabilityErrors");
      assert.deepEqual(installability.installabilityErrors.map((e) => e.errorId).filter((id) => id !== "in-incognito"), []);

      // Signed in with push stubbed (headless Chromium has no push service): the page asks
      // the server for its key and hands it the subscription.
      await page.addInitScript(() => {
        Notification.requestPermission = async () => "granted";
        PushManager.prototype.subscribe = async function () {
          return {
            endpoint: "http://127.0.0.1:9/push/e2e",
            toJSON: () => ({
              endpoint: "http://127.0.0.1:9/push/e2e",
              keys: {
                p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                auth: "BTBZMqHH6r4Tts7J_aSIgg",
              },
            }),
          };
        };
      });
      await signIn(page, "nurse.chen");
      await page.getByRole("button", { name: "Notify me" }).click();
      await page.getByRole("status").filter({ hasText: "Notifications on" }).waitFor(LIVE);
      const shell = await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        const out = [];
        for (const key of await caches.keys()) {
          for (const request of await (await caches.open(key)).keys()) out.push(new URL(request.url).pathname);
        }
        return out;
      });
      assert.ok(shell.includes("/"), `the page is kept: ${shell}`);
      assert.ok(shell.some((p) => p.startsWith("/assets/")), `its assets are kept: ${shell}`);
      assert.deepEqual(shell.filter((p) => !(p === "/" || p.startsWith("/assets/") || /^\/[\w.-]+\.(png|svg|webmanifest)$/.test(p))), [], "nothing but the shell");

      // Offline, the app opens from the kept shell and says it cannot reach Ward.
      await page.context().setOffline(true);
      await page.reload();
      await page.locator("#app").getByText(/offline|sign in/i).first().waitFor(LIVE);
      await page.context().setOffline(false);
      await page.reload();
      await page.getByRole("button", { name: "Sign out" }).waitFor(LIVE);

      // Signed out: no worker, no cache.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Ward" }).waitFor(LIVE);
      const left = await page.evaluate(async () => {
        for (let i = 0; i < 50; i++) {
          const registrations = await navigator.serviceWorker.getRegistrations();
          const keys = await caches.keys();
          if (registrations.length === 0 && keys.length === 0) return { registrations: 0, keys: [] };
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return { registrations: (await navigator.serviceWorker.getRegistrations()).length, keys: await caches.keys() };
      });
      assert.deepEqual(left, { registrations: 0, keys: [] }, "sign-out leaves no service worker and no cache");
    });
  });

  test("a clinician starts a group conversation and adds a member", async () => {
    await withPages("group", [DESKTOP], async (page) => {
      await signIn(page, "nurse.chen");
      await page.getByRole("button", { name: "New conversation" }).click();
      await page.getByLabel("Group").check();
      await page.getByLabel("Group name").fill("Night shift handover");
      await page.getByLabel("Dr. Erik Lindqvist (physician)").check();
      await page.getByRole("button", { name: "Start" }).click();
      await page.getByRole("heading", { name: "Night shift handover" }).waitFor(LIVE);
      await page.getByRole("button", { name: "Add member" }).click();
      await page.getByLabel("Colleague").selectOption({ label: "Priya Patel, PharmD (pharmacist)" });
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.getByText(/Members: .*Priya Patel, PharmD/).waitFor(LIVE);
      await page.getByRole("dialog").waitFor({ state: "detached", ...LIVE });

      // The sender corrects a message, then recalls it.
      await page.getByLabel("Message", { exact: true }).fill("Handover at 1900 in the break room");
      await page.getByRole("button", { name: "Send" }).click();
      const messages = page.getByRole("list", { name: "Messages" });
      await messages.getByText("Handover at 1900 in the break room").waitFor(LIVE);
      await messages.getByRole("button", { name: /^Edit your message of / }).click();
      await page.getByLabel("New text").fill("Handover at 19:30 in the break room");
      await page.getByRole("button", { name: "Save" }).click();
      await messages.getByText("Handover at 19:30 in the break room").waitFor(LIVE);
      await messages.getByText("(edited)").waitFor(LIVE);
      await messages.getByRole("button", { name: /^Recall your message of / }).click();
      await messages.getByRole("button", { name: /^Confirm recall your message of / }).click();
      await messages.getByText("You recalled this message.").waitFor(LIVE);
      assert.equal(await messages.getByText("Handover at 19:30 in the break room").count(), 0);

      // A file dropped on the composer is attached, uploaded and sent with the message.
      const dataTransfer = await page.evaluateHandle((bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], "ward-map.png", { type: "image/png" }));
        return transfer;
      }, [...png()]);
      await page.locator("form.composer").dispatchEvent("drop", { dataTransfer });
      await page.getByText("Attached").waitFor(LIVE);
      await page.getByLabel("Message", { exact: true }).fill("Map of the ward for the new starters");
      await page.getByRole("button", { name: "Send" }).click();
      await messages.getByRole("link", { name: "Download ward-map.png" }).waitFor(LIVE);
    });
  });

  test("a pharmacist finds a channel in the directory and joins it", async () => {
    await withPages("channels", [DESKTOP], async (page) => {
      await signIn(page, "pharm.patel");
      const sidebar = page.getByRole("navigation", { name: "Conversations" });
      assert.equal(await sidebar.getByRole("link", { name: /4 West nursing/ }).count(), 0);
      await page.getByRole("button", { name: "Browse channels" }).click();
      const directory = page.getByRole("dialog", { name: "Channels" });
      await directory.getByText(/4 West nursing/).waitFor(LIVE);
      assert.deepEqual(await seriousViolations(page), [], "channel directory is accessible");
      await directory.getByRole("button", { name: "Join 4 West nursing" }).click();
      // A new member reads from the moment they joined, and takes part at once.
      await page.getByRole("heading", { name: "4 West nursing" }).waitFor(LIVE);
      await sidebar.getByRole("link", { name: /4 West nursing/ }).waitFor(LIVE);
      await page.getByLabel("Message", { exact: true }).fill("Pharmacy here: ask us about the IV potassium shortage.");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByRole("list", { name: "Messages" }).getByText(/IV potassium shortage/).waitFor(LIVE);
    });
  });

  test("an idle session locks, with a warning first", async () => {
    await withPages("idle", [DESKTOP], async (page) => {
      await page.clock.install();
      await signIn(page, "pharm.patel");
      await page.getByRole("heading", { name: "Messages", exact: true }).waitFor();
      await page.clock.fastForward("14:10");
      await page.getByRole("heading", { name: "Still there?" }).waitFor(LIVE);
      await page.clock.fastForward("01:00");
      await page.getByRole("heading", { name: "Ward is locked" }).waitFor(LIVE);
      assert.equal(await page.getByLabel("Username").inputValue(), "pharm.patel");
      assert.equal(await page.getByRole("link", { name: "Patients" }).count(), 0, "nothing of the session shows");
      await page.getByLabel("Password").fill("ward-demo-password");
      await page.getByRole("button", { name: "Unlock" }).click();
      await page.getByRole("heading", { name: "Messages", exact: true }).waitFor(LIVE);
    });
  });
});

describe("patients", () => {
  test("a patient sees only their own thread and cannot open another patient's", async () => {
    const asDoctor = await apiAs(server.url, "dr.okafor");
    const { patients } = await asDoctor("/patients");
    const garcia = patients.find((p) => p.family_name === "Garcia");
    assert.ok(garcia?.care_team_conversation_id, "the demo registered Lucia Garcia with a care-team thread");

    await withPages("patient", [PHONE], async (page) => {
      await signIn(page, "patient.jones");
      await page.getByRole("heading", { name: "Your conversations" }).waitFor();
      const threads = page.getByRole("navigation", { name: "Conversations" }).getByRole("link");
      await threads.first().waitFor(LIVE);
      assert.equal(await threads.count(), 1, "only the patient's own thread");
      assert.equal(await page.getByText("Garcia").count(), 0);
      assert.deepEqual(await seriousViolations(page), []);

      await page.goto(`/c/${garcia.care_team_conversation_id}`);
      await page.getByText("This conversation is not available to you.").waitFor(LIVE);
      assert.equal(await page.getByText("Garcia").count(), 0, "nothing about the other patient shows");
    });
  });
});

describe("consoles", () => {
  test("the admin creates a user who then signs in, and revokes that user's session", async () => {
    await withPages("admin", [DESKTOP, DESKTOP], async (admin, newcomer) => {
      adminSecret = await signInAndEnrol(admin, "admin");
      await admin.getByRole("link", { name: "Admin" }).click();
      await admin.getByRole("heading", { name: "Users" }).waitFor(LIVE);
      await admin.getByLabel("Username").fill("nurse.kim");
      await admin.getByLabel("Display name").fill("Kim Park, RN");
      await admin.getByLabel("Role", { exact: true }).selectOption("nurse");
      await admin.getByLabel("Initial password").fill("first-day-password-42");
      await admin.getByRole("button", { name: "Create user" }).click();
      await admin.getByText("Created nurse.kim.").waitFor(LIVE);

      // A second compliance officer is only requested: the compliance officer approves it
      // (in the compliance console test below).
      await admin.getByLabel("Username").fill("auditor.two");
      await admin.getByLabel("Display name").fill("Sam Auditor");
      await admin.getByLabel("Role", { exact: true }).selectOption("compliance_officer");
      await admin.getByLabel("Initial password").fill("first-day-password-42");
      await admin.getByRole("button", { name: "Create user" }).click();
      await admin.getByText(/Requested: a compliance officer must approve the compliance_officer account auditor\.two/).waitFor(LIVE);

      // A custom role, which the user form then offers.
      const roles = admin.getByRole("region", { name: "Roles" });
      await roles.getByLabel("Role name").fill("unit_clerk");
      await roles.getByLabel("Start conversations").check();
      await roles.getByLabel("Send messages").check();
      await roles.getByRole("button", { name: "Save role" }).click();
      await roles.getByText(/Saved role unit_clerk/).waitFor(LIVE);
      await roles.getByRole("row", { name: /unit_clerk.*Start conversations; Send messages/ }).waitFor(LIVE);
      await admin.getByLabel("Role", { exact: true }).locator("option", { hasText: "unit_clerk" }).waitFor({ state: "attached", ...LIVE });
      assert.deepEqual(await seriousViolations(admin), [], "admin console is accessible");

      await signIn(newcomer, "nurse.kim", { password: "first-day-password-42" });
      await newcomer.getByRole("heading", { name: "Messages", exact: true }).waitFor(LIVE);
      await newcomer.getByText("Online").waitFor(LIVE);

      const sessions = admin.getByRole("region", { name: "Sessions" });
      await sessions.getByLabel("User").selectOption({ label: "Kim Park, RN (nurse.kim)" });
      await sessions.getByRole("button", { name: /^Revoke .* for nurse\.kim/ }).click();
      await sessions.getByRole("button", { name: /^Confirm revoke .* for nurse\.kim/ }).click();
      await newcomer.getByText(/session (was ended by an administrator|has ended)/).waitFor(LIVE);
      await newcomer.getByRole("heading", { name: "Sign in to Ward" }).waitFor();
      assert.equal(await newcomer.getByRole("link", { name: "Dr. Ada Okafor" }).count(), 0);

      // Signed in again, the device is wiped remotely: its data goes, and it confirms the wipe.
      await signIn(newcomer, "nurse.kim", { password: "first-day-password-42" });
      await newcomer.getByText("Online").waitFor(LIVE);
      await newcomer.evaluate(() => {
        localStorage.setItem("left-behind", "x");
        sessionStorage.setItem("left-behind", "x");
      });
      await sessions.getByRole("button", { name: "Refresh sessions" }).click();
      await sessions.getByRole("button", { name: /^Wipe .* for nurse\.kim/ }).click();
      await sessions.getByRole("button", { name: /^Confirm wipe .* for nurse\.kim/ }).click();
      await sessions.getByText(/Wipe ordered for/).waitFor(LIVE);
      await newcomer.getByText("An administrator erased this device's data and signed it out.").waitFor(LIVE);
      await newcomer.getByRole("heading", { name: "Sign in to Ward" }).waitFor();
      const left = await newcomer.evaluate(() => localStorage.length + sessionStorage.length);
      assert.equal(left, 0, "the wipe leaves nothing in the browser's storage");
      // The device confirmed the wipe, which ends its session: nothing is left to wipe or revoke.
      const revoke = sessions.getByRole("button", { name: /^Revoke .* for nurse\.kim/ });
      for (let i = 0; i < 50 && (await revoke.count()) > 0; i++) {
        await admin.waitForTimeout(200);
        await sessions.getByRole("button", { name: "Refresh sessions" }).click();
      }
      assert.equal(await revoke.count(), 0);
    });
  });

  test("the compliance officer searches the audit log and sees the alerts", async () => {
    await withPages("compliance", [DESKTOP], async (page) => {
      const secret = await signInAndEnrol(page, "compliance");
      await page.getByRole("link", { name: "Compliance" }).click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor(LIVE);

      // The admin's request for a second compliance officer waits here; approving makes it.
      const approvals = page.getByRole("region", { name: "Approvals" });
      await approvals.getByRole("button", { name: /^Approve: Create compliance_officer account auditor\.two/ }).click();
      await approvals.getByText("Nothing is waiting for approval.").waitFor(LIVE);
      const audit = page.getByRole("region", { name: "Audit log" });
      await audit.getByLabel("Action").fill("user.create");
      await audit.getByRole("button", { name: "Search" }).click();
      await audit.getByRole("cell", { name: "user.create" }).first().waitFor(LIVE);
      await audit.getByRole("button", { name: "Verify chain" }).click();
      await audit.getByText(/The chain is intact/).waitFor(LIVE);

      // A patient on no care team of the officer's, found by MRN, then her disclosures.
      const finder = page.getByRole("region", { name: "Find a patient" });
      await finder.getByLabel("Medical record number").fill("MRN-000000");
      await finder.getByRole("button", { name: "Find" }).click();
      await finder.getByText("No patient has this medical record number.").waitFor(LIVE);
      await finder.getByLabel("Medical record number").fill("mrn-100871");
      await finder.getByRole("button", { name: "Find" }).click();
      await finder.getByText(/Found Garcia, Lucia/).waitFor(LIVE);
      const disclosures = page.getByRole("region", { name: "Accounting of disclosures" });
      const garcia = await disclosures.getByLabel("Patient").locator("option", { hasText: "Garcia, Lucia" }).getAttribute("value");
      await disclosures.getByLabel("Patient").selectOption(garcia);
      await disclosures.getByRole("button", { name: "Show disclosures" }).click();
      await disclosures.getByRole("heading", { name: /^Garcia, Lucia · .*: \d+ disclosures?$/ }).waitFor(LIVE);
      assert.ok(!page.url().includes("100871"), "the MRN stays out of the URL");
      assert.deepEqual(await seriousViolations(page), [], "compliance console is accessible");

      // The HIPAA evidence report: every safeguard judged, an account kept in the access review.
      const report = page.getByRole("region", { name: "HIPAA evidence report" });
      await report.getByRole("button", { name: "Make report" }).click();
      const safeguards = report.getByRole("table", { name: "Safeguards" });
      await safeguards.getByRole("cell", { name: /^164\.312\(a\)\(1\) Access control$/ }).waitFor(LIVE);
      assert.equal(await safeguards.locator("tbody tr").count(), 22, "every safeguard of the catalogue");
      const access = report.getByRole("table", { name: "Access review" });
      await access.getByRole("button", { name: "Keep nurse.chen" }).click();
      await access.getByRole("cell", { name: /^keep · compliance / }).waitFor(LIVE);

      // The printable page: self-contained (nothing else requested), no CSP error, no script.
      const printable = await page.context().newPage();
      const requested = [];
      const errors = [];
      printable.on("request", (request) => requested.push(request.url()));
      printable.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
      await printable.goto("/api/v1/compliance/report?format=html");
      await printable.getByRole("heading", { name: "HIPAA Security Rule evidence" }).waitFor(LIVE);
      assert.deepEqual(errors, [], "no console errors on the printable report");
      assert.deepEqual(requested, [`${server.url}/api/v1/compliance/report?format=html`], "nothing but the page");
      const badge = printable.locator(".control .badge").first();
      assert.notEqual(await badge.evaluate((el) => getComputedStyle(el).borderStyle), "none", "its own style applies");
      await printable.setViewportSize({ width: 1000, height: 1400 });
      await printable.screenshot({ path: path.join(SCREENSHOTS, "compliance-report.png") });
      await printable.close();

      // Signed out, the officer comes back with the next code from the authenticator (the code
      // used at enrolment cannot be replayed, and one step of clock skew is allowed).
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Ward" }).waitFor(LIVE);
      await signIn(page, "compliance", { totpSecret: secret, totpAt: Date.now() + 30_000 });
      await page.getByRole("link", { name: "Compliance" }).waitFor(LIVE);
    });
  });
});

describe("escalation", () => {
  test("an unacknowledged stat message brings the on-call physician to it, with its context, to acknowledge", async () => {
    assert.ok(adminSecret, "the admin console test enrolled the admin");
    // The next code: the one used at enrolment cannot be replayed.
    const asAdmin = await apiAs(server.url, "admin", { totpSecret: adminSecret, totpAt: Date.now() + 30_000 });
    const asNurse = await apiAs(server.url, "nurse.reyes");
    const policy = await asAdmin("/policy");
    const put = (doc) => asAdmin("/policy", { method: "PUT", body: JSON.stringify(doc) });
    await put({ ...policy, escalation: { ...policy.escalation, stat_after_secs: 1 } });
    try {
      const { users } = await asNurse("/users");
      const idOf = (username) => users.find((u) => u.username === username).id;
      const role = await asAdmin("/clinical-roles", { method: "POST", body: JSON.stringify({ name: "Medicine on-call" }) });
      const now = Date.now();
      await asAdmin(`/clinical-roles/${role.id}/shifts`, {
        method: "POST",
        body: JSON.stringify({
          user_id: idOf("dr.lindqvist"),
          starts_at: new Date(now - 60_000).toISOString(),
          ends_at: new Date(now + 8 * 3600_000).toISOString(),
        }),
      });
      const group = await asNurse("/conversations", {
        method: "POST",
        body: JSON.stringify({ kind: "group", title: "4 West nights", member_ids: [idOf("dr.okafor")] }),
      });
      await asNurse(`/conversations/${group.id}/escalation-role`, { method: "PUT", body: JSON.stringify({ role_id: role.id }) });
      const send = (body) => asNurse(`/conversations/${group.id}/messages`, {
        method: "POST",
        body: JSON.stringify({ client_id: crypto.randomUUID(), body }),
      });
      await send("Bed 9 breathing faster since 0100");
      await send("Sats 88% on 2 L");
      const file = await asNurse(`/attachments?conversation_id=${group.id}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream", "ward-file-name": "gas.pdf" },
        body: "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
      });
      await asNurse(`/conversations/${group.id}/messages`, {
        method: "POST",
        body: JSON.stringify({
          client_id: crypto.randomUUID(),
          body: "Bed 9 now 84% on 4 L, please come",
          priority: "stat",
          attachments: [file.id],
        }),
      });

      await withPages("escalation", [DESKTOP], async (page) => {
        await signIn(page, "dr.lindqvist");
        const escalated = page.getByRole("region", { name: "Escalated to you" });
        await escalated.getByText("Bed 9 now 84% on 4 L, please come").waitFor(LIVE);
        await escalated.getByText("Sats 88% on 2 L").waitFor();
        await escalated.getByText("Bed 9 breathing faster since 0100").waitFor();
        const [download] = await Promise.all([
          page.waitForEvent("download", LIVE),
          escalated.getByRole("link", { name: "Download gas.pdf" }).click(),
        ]);
        assert.equal(download.suggestedFilename(), "gas.pdf", "the escalated message's file opens");
        const conversations = page.getByRole("navigation", { name: "Conversations" });
        assert.equal(await conversations.getByRole("link", { name: "4 West nights" }).count(), 0, "brought to the message, not into the conversation");
        assert.deepEqual(await seriousViolations(page), []);
        await escalated.getByRole("button", { name: "Acknowledge" }).click();
        await escalated.waitFor({ state: "detached", ...LIVE });
      });
    } finally {
      await put(policy);
    }
  });
});
