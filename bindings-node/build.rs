//! Build script: sets up the linker flags a Node-API addon needs on every platform.

fn main() {
    napi_build::setup();
}
