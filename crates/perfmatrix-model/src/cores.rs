//! Sharing independent work out over this machine's cores.

/// How many of `len` items each thread takes so that every core gets one share (at least 1).
#[must_use]
pub fn share_of(len: usize) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    len.div_ceil(threads).max(1)
}

/// `f` of every item, in order, the items shared out over the cores ([`share_of`]).
pub fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let per_thread = share_of(items.len());
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_results_come_in_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let squares = super::map_in_parallel(&items, |i| i * i);
        assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        assert!(super::map_in_parallel(&[] as &[u32], |i| *i).is_empty());
    }

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
