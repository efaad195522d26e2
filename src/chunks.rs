//! Code that the release build fetches when it is first needed instead of with the page.
//!
//! The release build (`cargo xtask`, `--cfg lampboard_split`) links with relocations kept, and
//! `scripts/split-wasm.mjs` cuts the code only a split function reaches into a wasm chunk of
//! its own (wasm-split, the tool behind Leptos' `#[lazy]`); the service worker keeps every
//! chunk for offline starts. Two kinds of code go that way: views not on the first screen
//! (`ui::split`) and the lamp systems a home does not use (`lamp::systems::code`). Every other
//! build (`trunk serve`, native, the tests) has no chunks: the same functions run at once.

/// A chunk could not be fetched (offline on a first visit, a deploy that removed it): what
/// needed it says so in words and tries again later, instead of the app stopping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkError;

#[cfg(lampboard_split)]
impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// Declares `async fn $name() -> Result<$ret, ChunkError>` answering `$value`, which the
/// release build moves into the chunk `$chunk` (functions naming one chunk share it), with
/// all the code only it reaches. No arguments and a `Copy` result (a function pointer): what
/// crosses the chunk's boundary is passed by the C ABI, so it stays a plain value.
macro_rules! split_code {
    ($chunk:ident, $(#[$meta:meta])* $vis:vis fn $name:ident() -> $ret:ty = $value:expr) => {
        #[cfg(lampboard_split)]
        #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        $(#[$meta])*
        $vis fn $name() -> Result<$ret, $crate::chunks::ChunkError> {
            Ok($value)
        }

        #[cfg(not(lampboard_split))]
        $(#[$meta])*
        $vis async fn $name() -> Result<$ret, $crate::chunks::ChunkError> {
            Ok($value)
        }
    };
}
pub(crate) use split_code;
