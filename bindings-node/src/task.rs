//! [`Blocking`]: a blocking core call (network I/O, waiting) run on the libuv thread pool as a napi
//! `AsyncTask`, so the JavaScript thread never waits. The call runs off the JavaScript thread and
//! returns plain Rust values; the JavaScript result (or the mapped core error) is built back on the
//! JavaScript thread, where the promise settles. A panic in the call rejects the promise with an
//! `Error` instead of crashing the process.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Status, Task};

use crate::error::to_js_error;

/// The work of one call: runs on a libuv pool thread.
type Work<T> = Box<dyn FnOnce() -> alipay_isv::Result<T> + Send>;

/// A blocking core call and how to turn its result into the JavaScript value the promise resolves to.
pub struct Blocking<T: Send + 'static, J> {
    /// Taken by the pool thread that runs it.
    work: Option<Work<T>>,
    /// Turns the result into its JavaScript form, on the JavaScript thread.
    finish: fn(T) -> J,
}

/// Wraps `work` in an `AsyncTask` whose promise resolves to `finish(result)` or rejects with the
/// core error mapped as everywhere else.
pub(crate) fn spawn<T, J>(
    work: impl FnOnce() -> alipay_isv::Result<T> + Send + 'static,
    finish: fn(T) -> J,
) -> AsyncTask<Blocking<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Blocking {
        work: Some(Box::new(work)),
        finish,
    })
}

impl<T, J> Task for Blocking<T, J>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    type Output = alipay_isv::Result<T>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "the call already ran"))?;
        catch_unwind(AssertUnwindSafe(work)).map_err(|_| {
            napi::Error::new(
                Status::GenericFailure,
                "alipay-isv: a Rust panic was caught in a background call",
            )
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        match output {
            Ok(value) => Ok((self.finish)(value)),
            Err(error) => Err(to_js_error(&env, &error)),
        }
    }
}

/// Runs the same work on the JavaScript thread (the `…Sync` twins), mapping the error likewise.
pub(crate) fn run_sync<T, J>(
    env: &Env,
    work: impl FnOnce() -> alipay_isv::Result<T>,
    finish: fn(T) -> J,
) -> napi::Result<J> {
    work().map(finish).map_err(|error| to_js_error(env, &error))
}
