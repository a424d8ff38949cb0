import CBLAS
import CLAPACKE
import CARPACK
