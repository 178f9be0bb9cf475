// Learning across incidents in the browser (PRODUCT.md §9): the dashboard is
// the home page (KPI tiles with their definitions, monthly trends drawn as SVG
// with a table beside them), the search box in the header finds an incident
// with the matching words marked and leads to it, a viewer who is not a member
// never sees the restricted demo incident in search results; axe-core and the
// Nu HTML Checker on the dashboard and the search page at 1366×768 and
// 390×844, with screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot, USERS } from "./helpers.js";

let server, browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("the dashboard is the home page, with KPI tiles and monthly trends", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "UTC" });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor());
  const tiles = page.locator(".kpi-tile");
  assert.ok((await tiles.count()) >= 4, "several KPI tiles");
  // Every tile carries its definition (a tooltip and text for screen readers).
  assert.ok((await tiles.first().getAttribute("title")).length > 20);
  // The trends are pictures with a name, and the numbers are there as text too.
  const charts = page.locator(".trend-card svg[role='img']");
  assert.ok((await charts.count()) >= 1, "a trend chart");
  await assert.doesNotReject(page.getByRole("heading", { name: "Trends by month" }).waitFor());
  const body = await page.locator("main").innerText();
  assert.match(body, /Incidents by category/);
  await screenshot(page, "learning-dashboard-desktop");
  await context.close();
});

test("the search box on every page finds an incident, marks the words and leads to it", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "UTC" });
  const page = await context.newPage();
  await page.goto(`${server.url}/actions`);
  const box = page.getByRole("searchbox", { name: /Search incidents/ });
  await box.fill("ransomware file servers");
  await box.press("Enter");
  await page.waitForURL(/\/search\?q=ransomware\+file\+servers/);
  const hits = page.locator(".search-hit");
  assert.ok((await hits.count()) >= 1, "at least one hit");
  assert.match(await hits.first().innerText(), /Lyon file servers/i);
  assert.ok((await page.locator(".search-hit mark").count()) >= 1, "matching words marked");
  await screenshot(page, "learning-search-desktop");
  await hits.first().locator(".hit-title a").click();
  await page.waitForURL(/\/incidents\/INC-2026-000\d/);
  await context.close();
});

test("a viewer who is not a member does not find a restricted incident; a member does", async () => {
  const list = await (await server.fetch("/api/v1/incidents?q=Lyon")).json();
  const ransomware = list.items.find((i) => /Lyon/.test(i.title));
  const res = await server.fetch(`/api/v1/incidents/${ransomware.key}/access`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ restricted: true, members: [USERS.contributor.email] }),
  });
  assert.equal(res.status, 200);
  for (const [as, sees] of [["viewer", false], ["contributor", true]]) {
    const context = await server.newContext(browser, { as, viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/search?q=lyon+ransomware`);
    const text = await page.locator("main").innerText();
    assert.equal(text.includes(ransomware.key), sees, `${as}: ${text.slice(0, 400)}`);
    await context.close();
  }
  // Opened again for the tests that follow.
  await server.fetch(`/api/v1/incidents/${ransomware.key}/access`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ restricted: false, members: [] }),
  });
});

test("the dashboard and the search page pass axe-core and the Nu checker on desktop and phone", async () => {
  const pages = [];
  for (const [label, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    for (const [name, path] of [["dashboard", "/"], ["search", "/search?q=phishing"]]) {
      await page.goto(`${server.url}${path}`);
      assert.deepEqual(await axeProblems(page), [], `${name} on ${label}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `${name} on ${label} scrolls sideways (${width}px)`);
      if (label === "phone") await screenshot(page, `learning-${name}-phone`);
      if (label === "desktop") pages.push({ name, html: await page.content() });
    }
    await context.close();
  }
  assert.deepEqual(htmlErrors(pages), []);
});
