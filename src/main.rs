/// mimalloc rather than the system allocator: loading is dominated by small allocations made
/// on several threads at once (see the note in Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sopctl::commands::main()
}
