/** Tessera's version, shown in logs and build info; follows the root package.json. */
export const VERSION = '0.1.0';
