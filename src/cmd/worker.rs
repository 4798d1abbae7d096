//! `handout __worker`: a worker process of a build (hidden from help).

use crate::error::Error;

pub fn run() -> Result<(), Error> {
    crate::batch::serve_worker()
}
