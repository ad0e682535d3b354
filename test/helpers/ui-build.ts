import { ensureUiBuilt } from '../../server/dev/ui-build.js';

// The browser tests drive the production build of agent-ui: build it when missing or stale.
export default async function setup() {
  await ensureUiBuilt((m) => console.warn(m));
}
