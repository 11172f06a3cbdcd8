void greet(const char *who, int argc);
