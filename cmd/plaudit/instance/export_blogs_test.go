package instance

import "github.com/plaudit/plaudit/app/blogs"

// TestBlogs gives the blog tests the poll they would otherwise wait
// poll_interval for.
func (inst *Instance) TestBlogs() *blogs.Service { return inst.federation.Blogs }
