//! The uniffi bindings generator, built from the same pinned uniffi version as `bindings-uniffi`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
