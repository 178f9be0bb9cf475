// The reports as their readers get them: the post-incident report and the
// executive summary open in the browser, are valid HTML, pass axe-core, and
// print to PDF; the Markdown downloads.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("the reports are valid, accessible, print to PDF and download as Markdown", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const page = await context.newPage();
  const pages = [];
  for (const kind of ["pir", "executive"]) {
    const res = await page.goto(`${server.url}/incidents/INC-2026-0001/reports/${kind}.html`);
    assert.equal(res.status(), 200);
    const html = await res.text();
    pages.push({ name: `${kind}.html`, html });
    assert.match(html, /Ransomware encrypted the Lyon file servers/);
    assert.match(html, /201,057\.80 EUR/);
    const problems = await axeProblems(page);
    assert.deepEqual(problems, [], problems.join("\n"));
    await screenshot(page, `report-${kind}`);
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    assert.equal(pdf.subarray(0, 4).toString(), "%PDF", "the browser prints it to PDF");
  }
  // The fishbone is embedded, and served on its own for the review page.
  assert.match(pages[0].html, /<svg[^>]*role="img"/);
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));

  const md = await page.request.get(`${server.url}/incidents/INC-2026-0001/reports/pir.md`);
  assert.equal(md.status(), 200);
  assert.match(md.headers()["content-disposition"], /attachment; filename="INC-2026-0001-post-incident-report.md"/);
  assert.match(await md.text(), /^# /m);
  await context.close();
});

test("with JavaScript a review edit updates in place; without it the form posts and redirects", async () => {
  const url = `${server.url}/incidents/INC-2026-0003/review`;
  const withJs = await server.newContext(browser);
  const page = await withJs.newPage();
  await page.goto(url);
  await page.evaluate(() => { window.stillHere = true; });
  await page.locator("#narrative").getByLabel(/^Narrative/).fill("The change went to every region at once.");
  await page.getByRole("button", { name: "Save narrative" }).click();
  await assert.doesNotReject(page.locator("#narrative .notice").waitFor());
  assert.equal(await page.evaluate(() => window.stillHere === true), true, "no full reload");
  assert.equal(await page.locator("#narrative textarea").inputValue(), "The change went to every region at once.");
  assert.equal(await page.evaluate(() => document.activeElement.closest("section")?.id), "narrative", "focus stays with the section");
  await withJs.close();

  const withoutJs = await server.newContext(browser, { javaScriptEnabled: false });
  const plain = await withoutJs.newPage();
  await plain.goto(url);
  await plain.locator("#narrative").getByLabel(/^Narrative/).fill("Rolled out globally, no canary.");
  await plain.getByRole("button", { name: "Save narrative" }).click();
  await plain.waitForURL(/saved=narrative/);
  assert.equal(await plain.locator("#narrative textarea").inputValue(), "Rolled out globally, no canary.");
  await withoutJs.close();
});

test("question templates are edited on their settings page, errors beside the fields", async () => {
  // UTC like the server's default, so app.js has no reason to reload.
  const context = await server.newContext(browser, { timezoneId: "UTC" });
  const page = await context.newPage();
  await page.goto(`${server.url}/settings/question-templates`);
  const pages = [{ name: "templates", html: await page.content() }];
  let problems = await axeProblems(page);
  const section = page.locator("#tpl-nist-800-61r2");
  await section.getByLabel("Name").fill("");
  await section.getByRole("button", { name: /^Save/ }).click();
  await assert.doesNotReject(page.locator("#tpl-nist-800-61r2-name-error").waitFor());
  pages.push({ name: "templates-error", html: await page.content() });
  problems = problems.concat(await axeProblems(page));
  await page.locator("#tpl-new").getByLabel(/^Id/).fill("major");
  await page.locator("#tpl-new").getByLabel("Name").fill("Major incidents");
  await page.locator("#tpl-new").getByLabel(/^Questions/).fill("What did customers see?\nWhat would we do again?");
  await page.getByRole("button", { name: "Create template" }).click();
  await page.waitForURL(/saved=major/);
  await assert.doesNotReject(page.locator("#tpl-major").getByText("Saved.").waitFor());
  assert.deepEqual(problems, [], problems.join("\n"));
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
  await context.close();
});
