"""One screen a module: what fills the window between its title and its key bar."""
