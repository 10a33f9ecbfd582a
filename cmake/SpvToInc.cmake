# cmake -DSPV=in.spv -DINC=out.inc -P SpvToInc.cmake: writes the SPIR-V words of a module as the body of a C
# array initializer ({0x07230203, ...}), the form the generated shader registry includes.
file(READ ${SPV} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR rem "${n} % 8")
if(n EQUAL 0 OR NOT rem EQUAL 0)
  message(FATAL_ERROR "${SPV}: not a SPIR-V module (${n} hex digits)")
endif()
# SPIR-V words are little-endian on disk: byte order 4 3 2 1 gives the word's value.
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1," words "${hex}")
string(REGEX REPLACE "((0x........,){8})" "\\1\n" words "${words}")
file(WRITE ${INC}.tmp "{\n${words}\n}\n")
file(RENAME ${INC}.tmp ${INC})
