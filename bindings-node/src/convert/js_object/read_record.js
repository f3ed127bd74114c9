// The parameter-object reader of `read_record.rs`, compiled once per environment with
// `napi_run_script`: the value of this script is the function. ASCII only (it is handed to the
// engine as Latin-1, which a compile-time assertion in `read_record.rs` checks).
(function readRecord(object, skipUndefined) {
  'use strict'
  let text = ''
  let count = 0
  for (const key in object) {
    const value = object[key]
    if (typeof value !== 'string') {
      if (value === undefined && skipUndefined) continue
      return null
    }
    text += key + '\0' + value + '\0'
    count += 2
  }
  return count + ':' + text
})
