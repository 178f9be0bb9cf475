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
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
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
