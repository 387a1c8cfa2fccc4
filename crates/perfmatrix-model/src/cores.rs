//! Sharing independent work out over this machine's cores.

/// How many of `len` items each thread takes so that every core gets one share (at least 1).
pub(crate) fn share_of(len: usize) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    len.div_ceil(threads).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_is_in_a_share_and_no_share_is_empty() {
        for len in [0, 1, 2, 7, 1000] {
            let share = super::share_of(len);
            assert!(share >= 1);
            let threads =
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            assert!(share * threads >= len, "{len}: an item left out");
            assert!(
                len == 0 || (share - 1) * threads < len,
                "{len}: a core left idle"
            );
        }
    }
}
