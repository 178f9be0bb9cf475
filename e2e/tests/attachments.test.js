// Evidence on the timeline (PRODUCT.md §3, §11): a contributor attaches a
// file with JavaScript turned off (a plain multipart form with its CSRF
// token), sees it listed with its hash, downloads it, and reads its chain of
// custody; an HTML file is only ever a download; a viewer sees the evidence
// but no upload form; the pages pass axe-core and the Nu HTML Checker on a
// desktop and a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;
const KEY = "INC-2026-0001";

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("a contributor attaches evidence without JavaScript, sees its hash and downloads it", async () => {
  const context = await server.newContext(browser, {
    as: "contributor",
    javaScriptEnabled: false,
    viewport: { width: 1366, height: 768 },
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/incidents/${KEY}/timeline`);
  // The demo's evidence is there already.
  await assert.doesNotReject(page.getByRole("link", { name: "edr-alert-LYON-FS01.log", exact: true }).waitFor());
  await assert.doesNotReject(page.getByRole("link", { name: "finance-share-encrypted.png", exact: true }).waitFor());

  const event = page.locator(".event").filter({ hasText: "On-call analyst paged the incident manager" });
  await event.locator("summary").click();
  const content = "2026-09-14 03:55 page sent to incident manager (ack 03:58)\n";
  await event.getByLabel(/^File/).setInputFiles({ name: "pager.log", mimeType: "text/plain", buffer: Buffer.from(content) });
  await event.getByLabel(/^Description/).fill("Pager export");
  await event.getByRole("button", { name: "Attach" }).click();
  await page.waitForURL(/timeline\?attached=pager\.log/);
  await assert.doesNotReject(page.getByText("Evidence attached: pager.log").waitFor());
  const sha = createHash("sha256").update(content).digest("hex");
  const hash = page.locator(`code[title="${sha}"]`);
  assert.equal(await hash.innerText(), `${sha.slice(0, 12)}…`);
  await screenshot(page, "timeline-evidence-desktop");

  // The download: the bytes, with their digest.
  const href = await page.getByRole("link", { name: "pager.log", exact: true }).getAttribute("href");
  const res = await page.request.get(`${server.url}${href}`);
  assert.equal(res.status(), 200);
  assert.equal(await res.text(), content);
  assert.equal(res.headers()["x-content-type-options"], "nosniff");
  assert.equal(res.headers()["repr-digest"], `sha-256=:${createHash("sha256").update(content).digest("base64")}:`);

  // The file's page: the full hash and the custody with that download.
  await page.getByRole("link", { name: "Full hash and custody of pager.log" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "pager.log" }).waitFor());
  await assert.doesNotReject(page.getByText(sha, { exact: true }).first().waitFor());
  await assert.doesNotReject(page.getByText("Downloaded, hash matched").waitFor());
  await screenshot(page, "attachment-custody-desktop");
  await context.close();
});

test("an HTML file is only ever downloaded, and a viewer gets no upload form", async () => {
  const upload = new FormData();
  const timeline = await (await server.fetch(`/api/v1/incidents/${KEY}/timeline`)).json();
  upload.append("file", new Blob(["<html><script>document.title='pwned'</script></html>"], { type: "text/html" }), "evil.html");
  const created = await server.fetch(`/api/v1/incidents/${KEY}/events/${timeline[0].id}/attachments`, { method: "POST", body: upload, as: "contributor" });
  assert.equal(created.status, 201);
  const a = await created.json();
  assert.equal(a.served_as, "application/octet-stream");

  const context = await server.newContext(browser, { as: "viewer" });
  const page = await context.newPage();
  await page.goto(`${server.url}/incidents/${KEY}/timeline`);
  assert.equal(await page.locator("details.attach").count(), 0);
  // Following the link saves the file; the page is never replaced by it.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "evil.html", exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "evil.html");
  assert.notEqual(await page.title(), "pwned");
  await context.close();
});

test("the timeline with evidence and the custody page pass axe-core and the Nu checker on desktop and phone", async () => {
  const list = await (await server.fetch(`/api/v1/incidents/${KEY}/attachments`)).json();
  const pages = [];
  const problems = [];
  for (const [name, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { as: "contributor", viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    for (const path of [`/incidents/${KEY}/timeline`, `/attachments/${list[0].id}`]) {
      const res = await page.goto(`${server.url}${path}`);
      pages.push({ name: `${name}${path}`, html: await res.text() });
      for (const p of await axeProblems(page)) problems.push(`${name} ${path}: ${p}`);
    }
    await page.goto(`${server.url}/incidents/${KEY}/timeline`);
    await page.locator(".event details.attach summary").first().click();
    for (const p of await axeProblems(page)) problems.push(`${name} timeline, form open: ${p}`);
    await screenshot(page, `timeline-evidence-${name}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(wide, false, `the timeline scrolls sideways on ${name}`);
    await context.close();
  }
  assert.deepEqual(problems, [], problems.join("\n"));
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
});
