// Copies the API docs' Swagger UI and ReDoc assets into dist/vendor: /docs and /redoc load nothing from a CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "vendor");
const files = [
  ["node_modules/swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["node_modules/swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["node_modules/redoc/bundles/redoc.standalone.js", "redoc/redoc.standalone.js"],
  ["public/favicon.svg", "favicon.svg"],
];
for (const [from, to] of files) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(root, from), join(out, to));
}
console.log(`vendor assets copied to ${out}`);
