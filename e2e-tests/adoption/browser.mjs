// What the adoption test does in Chromium (Debian's, driven by playwright-core): sign in with
// the guest provider, request access from an entity page's card.
import path from 'node:path';
import { submitReadRequest } from '../requestDialog.mjs';

export { launchChromium } from '../chromium.mjs';

/** Browser sessions against the app at `baseUrl`; screenshots go to `shots`. */
export class Sessions {
  constructor({ browser, baseUrl, shots }) {
    this.browser = browser;
    this.baseUrl = baseUrl;
    this.shots = shots;
    /** The page of the last sign-in, photographed when a step fails. */
    this.lastPage = undefined;
  }

  shot(page, name) {
    return page.screenshot({
      path: path.join(this.shots, `${name}.png`),
      fullPage: true,
    });
  }

  /** A fresh browser profile signed in with the guest provider. */
  async signIn() {
    await this.lastPage
      ?.context()
      .close()
      .catch(() => {});
    const context = await this.browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    this.lastPage = page;
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    await page.goto(this.baseUrl);
    await page.getByRole('button', { name: /enter/i }).click();
    // The sidebar's item, which the plugin's nav item extension adds.
    await page.getByRole('link', { name: 'Access', exact: true }).waitFor();
    return { page, context, errors };
  }

  /** Requests read access from an entity page's card; answers the dialog's text. */
  async requestFromEntityCard(page, name, shotName) {
    // The catalog reads the example file shortly after start: reload until it did.
    const requestButton = page.getByRole('button', { name: 'Request access' });
    const deadline = Date.now() + 120_000;
    for (;;) {
      await page.goto(`${this.baseUrl}/catalog/default/resource/${name}`);
      try {
        await requestButton.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
    await requestButton.click();
    const { text } = await submitReadRequest(
      page,
      `Adoption test: ${name}`,
      () => this.shot(page, shotName),
    );
    return text;
  }
}
