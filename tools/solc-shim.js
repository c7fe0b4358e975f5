#!/usr/bin/env node
// A stand-in for the native `solc` binary, backed by solcjs (npm package `solc`).
//
// py-solc-x (used by ape-solidity) only runs two kinds of commands:
//   <bin> --version
//   <bin> --standard-json --base-path <project> [--allow-paths ...]   (JSON on stdin)
// `make install` links this file as `.solcx/solc-v<VERSION>`; SOLCX_BINARY_PATH points there.
//
// stdout carries nothing but the answer (version text or the output JSON): ape parses it.
// Everything else goes to stderr.
"use strict";

const fs = require("fs");
const path = require("path");

// The one version this shim announces. It must match the pinned npm `solc` (see package.json).
const VERSION = "0.8.28";
const COMMIT = "7893614a";
const LONG_VERSION = `${VERSION}+commit.${COMMIT}`;

function die(message, code = 1) {
  process.stderr.write(`solc-shim: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { version: false, help: false, standardJson: false, basePath: null, includePaths: [], rest: [] };
  const takesValue = new Set(["--base-path", "--include-path", "--allow-paths", "--output-dir"]);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (takesValue.has(arg) && value === null) {
      if (i + 1 >= argv.length) die(`option '${arg}' needs a value`);
      value = argv[++i];
    }
    switch (arg) {
      case "--version":
        opts.version = true;
        break;
      case "--help":
        opts.help = true;
        break;
      case "--standard-json":
        opts.standardJson = true;
        break;
      case "--base-path":
        opts.basePath = value;
        break;
      case "--include-path":
        opts.includePaths.push(value);
        break;
      case "--allow-paths": // The resolver only reads below base/include paths anyway.
      case "--output-dir": // Meaningless in standard-json mode.
      case "--overwrite":
      case "-":
        break;
      default:
        // Same wording as solc, so py-solc-x raises its UnknownOption error.
        die(`unrecognised option '${arg}'`);
    }
  }
  return opts;
}

function checkPackageVersion() {
  // Cheap check (no WebAssembly load) used by --version.
  let pkgVersion;
  try {
    pkgVersion = require("solc/package.json").version;
  } catch (err) {
    die(`cannot load npm package 'solc' (run 'make install' / 'npm ci'): ${err.message}`);
  }
  if (pkgVersion !== VERSION) {
    die(`npm package solc is ${pkgVersion}, but this shim announces ${VERSION}; fix package.json or the shim`);
  }
}

function loadSolc() {
  // Emscripten may print to stdout while loading; keep stdout for the JSON only.
  const toStderr = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  let solc;
  try {
    solc = require("solc");
  } catch (err) {
    die(`cannot load npm package 'solc' (run 'make install' / 'npm ci'): ${err.message}`);
  }
  const loaded = solc.version(); // e.g. 0.8.28+commit.7893614a.Emscripten.clang
  if (!loaded.startsWith(LONG_VERSION + ".") && loaded !== LONG_VERSION) {
    die(`loaded solcjs is ${loaded}, but this shim announces ${LONG_VERSION}`);
  }
  return solc;
}

function makeResolver(roots) {
  return function findImport(sourceUnitName) {
    const candidates = path.isAbsolute(sourceUnitName)
      ? [sourceUnitName]
      : roots.map((root) => path.resolve(root, sourceUnitName));
    for (const file of candidates) {
      const inRoot = roots.some((root) => {
        const rel = path.relative(root, file);
        return rel && !rel.startsWith("..") && !path.isAbsolute(rel);
      });
      if (!inRoot) continue;
      try {
        return { contents: fs.readFileSync(file, "utf8") };
      } catch (err) {
        if (err.code !== "ENOENT" && err.code !== "EISDIR") {
          return { error: `${file}: ${err.message}` };
        }
      }
    }
    return { error: `File not found in base path or include paths (${roots.join(", ")}): ${sourceUnitName}` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));

  if (opts.version) {
    checkPackageVersion();
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${LONG_VERSION}.Linux.g++\n`);
    return;
  }
  if (opts.help) {
    process.stdout.write(
      "solc-shim: solcjs behind a solc-like CLI. Supports only --version and " +
        "--standard-json [--base-path DIR] [--include-path DIR]... (JSON on stdin).\n",
    );
    return;
  }
  if (!opts.standardJson) {
    die("only --version and --standard-json are supported (this is solcjs behind a shim)", 2);
  }

  const input = fs.readFileSync(0, "utf8");
  const solc = loadSolc();
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths].map((p) => path.resolve(p));
  const output = solc.compile(input, { import: makeResolver(roots) });
  // Let the write drain before Node exits (no process.exit here: big outputs to a pipe).
  process.stdout.write(output.endsWith("\n") ? output : output + "\n");
}

main();
