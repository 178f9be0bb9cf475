// Accounts in the browser (PRODUCT.md §11): signing in (a wrong password
// first) and out, a viewer refused an action, a restricted incident
// invisible to a non-member (list and direct address) and visible to a
// member; axe-core and the Nu checker on the sign-in, users, account and
// audit pages at 1366×768 and 390×844, with screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot, USERS, PASSWORD } from "./helpers.js";

let server, browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("signing in with a wrong password says so; the right one lands on the page asked for; signing out ends it", async () => {
  const context = await server.newContext(browser, { anonymous: true, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/actions`);
  await page.waitForURL(/\/login\?next=%2Factions$/);
  await page.getByLabel("Email").fill(USERS.viewer.email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await assert.doesNotReject(page.getByText("The email or the password is wrong.").waitFor());
  assert.equal(await page.getByLabel("Email").inputValue(), USERS.viewer.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/actions$/);
  await assert.doesNotReject(page.getByRole("link", { name: /Vi Viewer/ }).waitFor());
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/login\?signed_out=1$/);
  await page.goto(`${server.url}/incidents`);
  await page.waitForURL(/\/login\?next=/);
  await context.close();
});

test("a viewer is refused a contributor's action with a page that says why", async () => {
  const context = await server.newContext(browser, { as: "viewer", viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const res = await page.goto(`${server.url}/incidents/new`);
  assert.equal(res.status(), 403);
  await assert.doesNotReject(page.getByText(/needs the contributor role/).waitFor());
  // The API says the same to the viewer's token.
  const api = await server.fetch("/api/v1/incidents", {
    as: "viewer",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: "x", category: "phishing", severity: "low" }),
  });
  assert.equal(api.status, 403);
  await context.close();
});

test("a restricted incident is invisible to a non-member, in the list and at its address, and visible to a member", async () => {
  const list = await (await server.fetch("/api/v1/incidents")).json();
  const key = list.items[0].key;
  const res = await server.fetch(`/api/v1/incidents/${key}/access`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ restricted: true, members: [USERS.contributor.email] }),
  });
  assert.equal(res.status, 200);

  const outsider = await server.newContext(browser, { as: "viewer", viewport: { width: 1366, height: 768 } });
  const page = await outsider.newPage();
  await page.goto(`${server.url}/incidents`);
  assert.equal(await page.getByText(key).count(), 0);
  const direct = await page.goto(`${server.url}/incidents/${key}`);
  assert.equal(direct.status(), 404);
  assert.equal((await server.fetch(`/api/v1/incidents/${key}`, { as: "viewer" })).status, 404);
  assert.equal((await server.fetch(`/api/v1/incidents/${key}/timeline`, { as: "manager" })).status, 404);
  await outsider.close();

  const member = await server.newContext(browser, { as: "contributor", viewport: { width: 1366, height: 768 } });
  const mpage = await member.newPage();
  await mpage.goto(`${server.url}/incidents`);
  assert.ok((await mpage.getByText(key).count()) > 0);
  const ok = await mpage.goto(`${server.url}/incidents/${key}`);
  assert.equal(ok.status(), 200);
  await member.close();
});

test("a token created on the account page works once copied, and is listed without its secret", async () => {
  const context = await server.newContext(browser, { as: "manager", viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/account`);
  await page.getByLabel("Name").fill("laptop script");
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.locator("#new-token").textContent()).trim();
  assert.match(secret, /^dbt_[0-9a-f]{64}$/);
  const me = await server.fetch("/api/v1/me", { headers: { authorization: `Bearer ${secret}` } });
  assert.deepEqual(await me.json(), { actor: USERS.manager.email, role: "viewer" });
  await page.goto(`${server.url}/account`);
  assert.equal(await page.locator("#new-token").count(), 0);
  await page.getByRole("button", { name: "Revoke laptop script" }).click();
  await assert.doesNotReject(page.getByText("The token is revoked").waitFor());
  const after = await server.fetch("/api/v1/me", { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(after.status, 401);
  await context.close();
});

for (const [width, height, device] of [[1366, 768, "desktop"], [390, 844, "phone"]]) {
  test(`the sign-in, account, users and audit pages pass axe-core and the Nu checker on a ${device}`, async () => {
    const pages = [];
    const visit = async (context, path, name) => {
      const page = await context.newPage();
      await page.goto(`${server.url}${path}`);
      assert.deepEqual(await axeProblems(page), [], `${name} on a ${device}`);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(scroll <= 0, `${name} scrolls sideways by ${scroll}px on a ${device}`);
      pages.push({ name, html: await page.content() });
      await screenshot(page, `accounts-${name}-${device}`);
      await page.close();
    };
    const anon = await server.newContext(browser, { anonymous: true, viewport: { width, height } });
    await visit(anon, "/login", "login");
    await anon.close();
    const admin = await server.newContext(browser, { viewport: { width, height } });
    await visit(admin, "/account", "account");
    await visit(admin, "/settings/users", "users");
    await visit(admin, "/settings/audit", "audit");
    const list = await (await server.fetch("/api/v1/incidents")).json();
    await visit(admin, `/incidents/${list.items[1].key}/access`, "access");
    await admin.close();
    assert.deepEqual(htmlErrors(pages), []);
  });
}
