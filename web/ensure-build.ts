// The web build lives in bin/build.js (plain JavaScript, so `npm start` needs no TypeScript loader);
// tests and benches import it from here.
export { ensureWebBuild, webBuildIsStale, webDist } from '../bin/build.js';
