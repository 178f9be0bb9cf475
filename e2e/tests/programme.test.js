// The programme report in the browser (PRODUCT.md §9, §10): the dashboard
// links to the programme page; the page picks a quarter and any days,
// shows the key figures and links the print-ready report, which opens,
// is valid HTML (Nu checker), passes axe-core and prints to PDF; the
// Markdown downloads. The demo's two years of history give every section
// something to say (the phishing MFA change verified on 15 September 2025).
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

test("the programme page picks a period and opens a valid, accessible, printable report", async () => {
  const pages = [];
  const problems = [];
  for (const [label, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { as: "viewer", viewport, timezoneId: "UTC", acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole("link", { name: "Programme report" }).click();
    await page.waitForURL(/\/programme$/);
    // The picker lists the last eight quarters (2025 Q3 is among them for the demo's dates).
    await page.getByLabel("Quarter", { exact: true }).selectOption("2025Q3");
    await page.getByRole("button", { name: "Show quarter" }).click();
    await page.waitForURL(/quarter=2025Q3/);
    await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Programme report 2025 Q3" }).waitFor());
    const figures = await page.locator("main").innerText();
    assert.match(figures, /Review coverage/);
    problems.push(...(await axeProblems(page)).map((p) => `${label} page: ${p}`));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `programme page on ${label} scrolls sideways (${width}px)`);
    if (label === "desktop") pages.push({ name: "programme-page", html: await page.content() });
    await screenshot(page, `programme-page-${label}`);

    if (label === "desktop") {
      await page.getByRole("link", { name: /print-ready report/ }).click();
      await page.waitForURL(/\/api\/v1\/reports\/programme\?.*format=html/);
      const html = await page.content();
      assert.match(html, /Programme report 2025 Q3/);
      assert.match(html, /Did it work\?/);
      // The demo's planted change: phishing-resistant MFA, verified on 15 September 2025.
      assert.match(html, /verified on 2025-09-15 \(Phishing/);
      assert.ok((await page.locator("svg[role='img']").count()) >= 5, "trend charts");
      problems.push(...(await axeProblems(page)).map((p) => `report: ${p}`));
      await screenshot(page, "programme-report");
      const pdf = await page.pdf({ format: "A4", printBackground: true });
      assert.equal(pdf.subarray(0, 4).toString(), "%PDF", "the browser prints it to PDF");
      const res = await page.request.get(page.url());
      pages.push({ name: "programme-report", html: await res.text() });
      const md = await page.request.get(page.url().replace("format=html", "format=md"));
      assert.equal(md.status(), 200);
      assert.match(md.headers()["content-disposition"], /attachment; filename="programme-2025-07-01-2025-09-30.md"/);
      assert.match(await md.text(), /^# Programme report 2025 Q3/m);
      await page.goBack();
    }

    // Any days, through the second form.
    await page.getByLabel("First day", { exact: true }).fill("2025-09-01");
    await page.getByLabel("Last day", { exact: true }).fill("2025-12-31");
    await page.getByRole("button", { name: "Show period" }).click();
    await page.waitForURL(/from=2025-09-01&to=2025-12-31/);
    await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Programme report 1 Sep 2025 – 31 Dec 2025" }).waitFor());
    await context.close();
  }
  assert.deepEqual(problems, [], problems.join("\n"));
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
});
