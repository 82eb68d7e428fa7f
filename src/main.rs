fn main() -> std::process::ExitCode {
    sopctl::commands::main()
}
