'use strict'
// Shared by the test files: loads the cross-language vectors in tests/vectors/ (not a test itself).

const fs = require('node:fs')
const path = require('node:path')

const VECTORS = path.join(__dirname, '..', '..', 'tests', 'vectors')

/** Parses one of the vector files, e.g. `sign.json`. */
function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'))
}

/** Reads a key file named relative to tests/vectors/. */
function readKey(relative) {
  return fs.readFileSync(path.join(VECTORS, relative), 'utf8')
}

/** The Base64 body of a key file (its lines without the PEM armour), to check it is never echoed. */
function keyBody(text) {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('-----'))
    .join('')
    .replace(/\s+/g, '')
}

module.exports = { VECTORS, loadVectors, readKey, keyBody }
