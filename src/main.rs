fn main() {
    std::process::exit(sopctl::cli::main());
}
