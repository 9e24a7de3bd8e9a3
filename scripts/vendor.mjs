// Copy the front-end files we serve from node_modules into static/vendor/.
// Runs after `npm ci` (postinstall), locally and on the platform's build.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["jsqr/dist/jsQR.js", "jsQR.js"], // QR decoding for the referee's scanner
];

mkdirSync(join(root, "static", "vendor"), { recursive: true });
for (const [source, target] of files) {
  copyFileSync(join(root, "node_modules", source), join(root, "static", "vendor", target));
}
console.log(`vendor: copied ${files.length} file(s) to static/vendor/`);
