// Shared set-up for the browser tests: a real `debrief serve` on a fresh
// SQLite file and a real headless Chromium (Debian's, never a download).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const screenshotDir = join(root, "e2e", "screenshots");

/** The users every test server has: one per role, password known. */
export const USERS = {
  admin: { email: "admin@e2e.example", name: "Ada Admin" },
  manager: { email: "manager@e2e.example", name: "Mo Manager" },
  contributor: { email: "contributor@e2e.example", name: "Cy Contributor" },
  viewer: { email: "viewer@e2e.example", name: "Vi Viewer" },
};
export const PASSWORD = "correct horse battery staple";

/** Starts `debrief serve` on a random port; resolves to { url, stop }. The
 * database first gets one user per role (`debrief user add`) and an admin
 * API token (`debrief token create`); contexts are signed in as admin
 * unless asked otherwise. */
export async function startServer({ demo = false, env = {} } = {}) {
  const bin = process.env.DEBRIEF_BIN || join(root, "target", "debug", "debrief");
  const dir = mkdtempSync(join(tmpdir(), "debrief-e2e-"));
  const database = join(dir, "debrief.db");
  // Cheap argon2id: the suite signs in many times (an explicit setting).
  const cliEnv = { ...process.env, DEBRIEF_INSECURE_FAST_PASSWORD_HASHING: "true", ...env };
  for (const [role, u] of Object.entries(USERS)) {
    execFileSync(bin, ["--database", database, "--as", "e2e", "user", "add", u.email, "--name", u.name, "--role", role, "--password-stdin"],
      { input: `${PASSWORD}\n`, env: cliEnv, stdio: ["pipe", "pipe", "pipe"] });
  }
  const tokens = {};
  for (const [role, u] of Object.entries(USERS)) {
    tokens[role] = execFileSync(bin, ["--database", database, "token", "create", "--user", u.email, "--name", "e2e"],
      { env: cliEnv, encoding: "utf8" }).trim();
  }
  const args = ["--database", database, "serve", "--listen", "127.0.0.1:0"];
  if (demo) args.push("--demo");
  const child = spawn(bin, args, { env: { ...cliEnv, DEBRIEF_LOG: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`debrief did not start in 30 s:\n${output}`)), 30_000);
    const look = (chunk) => {
      output += chunk.toString();
      // The whole line: a pipe may deliver it in pieces, and a port cut
      // short ("http://127.0.0.1:") would send the test to port 80.
      const m = output.match(/listening on (http:\/\/[0-9.]+:[0-9]+)\r?\n/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`debrief exited with ${code}:\n${output}`)); });
  });
  const sessions = {};
  /** Signs in through the form once per role; the session cookie's value. */
  const sessionOf = async (role) => {
    if (!sessions[role]) {
      const res = await fetch(new URL("/login", url), {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: USERS[role].email, password: PASSWORD, next: "/incidents" }),
      });
      const cookie = (res.headers.get("set-cookie") || "").match(/debrief_session=([^;]+)/);
      if (!cookie) throw new Error(`signing in as ${role} failed: ${res.status}`);
      sessions[role] = cookie[1];
    }
    return sessions[role];
  };
  return {
    url,
    tokens,
    /** A browser context for this server, signed in as admin; `as: "viewer"`
     * (or another role) signs in as that user, `anonymous: true` not at all.
     * Every test opens its pages through this (never browser.newContext). */
    newContext: async (browser, options = {}) => {
      const { as = "admin", anonymous = false, ...rest } = options;
      const context = await browser.newContext(rest);
      if (!anonymous) {
        await context.addCookies([{ name: "debrief_session", value: await sessionOf(as), url, httpOnly: true, sameSite: "Lax" }]);
      }
      return context;
    },
    /** fetch() against this server's API as the admin (bearer token);
     * `as: "viewer"` for another role, `anonymous: true` for none. */
    fetch: (path, init = {}) => {
      const { as = "admin", anonymous = false, ...rest } = init;
      const headers = new Headers(rest.headers || {});
      if (!anonymous && !headers.has("authorization")) headers.set("authorization", `Bearer ${tokens[as]}`);
      return fetch(new URL(path, url), { ...rest, headers });
    },
    stop: () => { child.kill("SIGTERM"); rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
    ],
  });
}

/** Serious and critical axe-core violations on the page, as readable lines. */
export async function axeProblems(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Nu HTML Checker errors for each { name, html }, as readable lines. */
export function htmlErrors(pages) {
  const dir = mkdtempSync(join(tmpdir(), "debrief-vnu-"));
  const files = pages.map(({ name, html }, i) => {
    const file = join(dir, `${String(i).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.html`);
    writeFileSync(file, html);
    return file;
  });
  const jar = join(root, "e2e", "node_modules", "vnu-jar", "build", "dist", "vnu.jar");
  let out;
  try {
    out = execFileSync("java", ["-jar", jar, "--errors-only", "--format", "json", ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    out = e.stderr || e.stdout || String(e);
  }
  rmSync(dir, { recursive: true, force: true });
  const parsed = JSON.parse(out.trim() || '{"messages":[]}');
  return parsed.messages
    .filter((m) => m.type === "error")
    .map((m) => `${m.url.split("/").pop()}:${m.lastLine}: ${m.message}`);
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
