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

/**
 * Decodes `a=b&c=d` form text into an object, independently of the binding: `+` is a space and each
 * `%XX` a byte, the bytes decoded in `charset` (`UTF-8` or `GBK`). A key given twice fails the test.
 */
function decodeForm(text, charset = 'UTF-8') {
  const decoder = new TextDecoder(charset.toLowerCase() === 'gbk' ? 'gbk' : 'utf-8', { fatal: true })
  const decode = (part) => {
    const bytes = []
    const plus = part.replace(/\+/g, ' ')
    for (let i = 0; i < plus.length; i++) {
      if (plus[i] === '%') {
        bytes.push(parseInt(plus.slice(i + 1, i + 3), 16))
        i += 2
      } else {
        bytes.push(...Buffer.from(plus[i], 'utf8'))
      }
    }
    return decoder.decode(Uint8Array.from(bytes))
  }
  const out = {}
  for (const pair of text.split('&').filter(Boolean)) {
    const at = pair.indexOf('=')
    if (at < 0) throw new Error(`no '=' in ${pair}`)
    const key = decode(pair.slice(0, at))
    if (key in out) throw new Error(`${key} given twice`)
    out[key] = decode(pair.slice(at + 1))
  }
  return out
}

/** Undoes the five HTML escapes (`&amp;` last). */
function htmlUnescape(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** The action URL and the hidden inputs (name → value, unescaped) of an HTML form. */
function parseForm(html) {
  const action = htmlUnescape(/<form[^>]*action="([^"]*)"/.exec(html)[1])
  const inputs = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
    inputs[htmlUnescape(match[1])] = htmlUnescape(match[2])
  }
  return { action, inputs }
}

/** An independent UTC+8 `yyyy-MM-dd HH:mm:ss` of epoch milliseconds. */
function chinaTime(millis) {
  return new Date(millis + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * Asserts that `actual` contains `expected`: objects key by key (recursively), everything else equal.
 */
function assertSubset(assert, actual, expected, path = '') {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.equal(typeof actual, 'object', `${path} is not an object`)
    for (const [key, value] of Object.entries(expected)) {
      assert.ok(actual !== null && key in actual, `${path}.${key} missing`)
      assertSubset(assert, actual[key], value, `${path}.${key}`)
    }
  } else {
    assert.deepEqual(actual, expected, path)
  }
}

module.exports.decodeForm = decodeForm
module.exports.htmlUnescape = htmlUnescape
module.exports.parseForm = parseForm
module.exports.chinaTime = chinaTime
module.exports.assertSubset = assertSubset
