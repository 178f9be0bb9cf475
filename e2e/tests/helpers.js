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

/** Starts `debrief serve` on a random port; resolves to { url, stop }. */
export async function startServer({ demo = false, env = {} } = {}) {
  const bin = process.env.DEBRIEF_BIN || join(root, "target", "debug", "debrief");
  const dir = mkdtempSync(join(tmpdir(), "debrief-e2e-"));
  const args = ["--database", join(dir, "debrief.db"), "serve", "--listen", "127.0.0.1:0"];
  if (demo) args.push("--demo");
  const child = spawn(bin, args, { env: { ...process.env, DEBRIEF_LOG: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`debrief did not start in 30 s:\n${output}`)), 30_000);
    const look = (chunk) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => { clearTimeout(timer); fail(new Error(`debrief exited with ${code}:\n${output}`)); });
  });
  return {
    url,
    /** A browser context for this server. Every test opens its pages through
     * this (never browser.newContext), so that signing in happens in one place. */
    newContext: (browser, options = {}) => browser.newContext(options),
    /** fetch() against this server's API, as the same test user. */
    fetch: (path, init = {}) => fetch(new URL(path, url), init),
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
